#include "app.hpp"

#include <boost/json.hpp>

#include "contracts/events.hpp"
#include "domain/catalog.hpp"
#include "domain/food_cooking.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace store {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS stores (
  store_id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, address TEXT NOT NULL,
  lat REAL NOT NULL, lon REAL NOT NULL);
CREATE TABLE IF NOT EXISTS menu_items (
  menu_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores, name TEXT NOT NULL,
  price INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS food_cookings (
  order_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL, customer TEXT NOT NULL, items TEXT NOT NULL,
  total_price INTEGER NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, status TEXT NOT NULL,
  requested_at INTEGER NOT NULL, reason TEXT, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS food_cookings_by_store ON food_cookings (store_id, order_id);
CREATE TABLE IF NOT EXISTS store_ratings (
  order_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL, rating INTEGER NOT NULL);
)";

void seed_demo_stores(Db& db) {
  if (db.query_one("SELECT 1 FROM stores LIMIT 1")) return;
  db.transaction([](Db& tx) {
    std::vector<platform::Event> events;
    for (const auto& store : demo_stores()) {
      tx.exec("INSERT INTO stores (store_id, name, category, address, lat, lon) VALUES (?, ?, ?, ?, ?, ?)",
              {store.store_id, store.name, store.category, store.address, store.lat, store.lon});
      for (const auto& item : store.menu)
        tx.exec("INSERT INTO menu_items (menu_id, store_id, name, price) VALUES (?, ?, ?, ?)",
                {item.menu_id, store.store_id, item.name, item.price});
      events.push_back(store.opened());
    }
    platform::append_events(tx, events);
  });
  platform::log::info("demo stores seeded");
}

boost::json::object store_json(const platform::Row& row) {
  auto id = std::to_string(row.integer(0));
  auto self = "/stores/" + id;
  return {{"storeId", row.integer(0)},
          {"name", row.text(1)},
          {"category", row.text(2)},
          {"address", row.text(3)},
          {"lat", row.real(4)},
          {"lon", row.real(5)},
          {"rating", row.is_null(6) ? boost::json::value(nullptr) : boost::json::value(row.real(6))},
          {"reviewCount", row.integer(7)},
          {"_links", platform::hal::links({{"self", self}, {"store", self}, {"reviews", "/reviews?storeId=" + id}})}};
}

// The rating comes from OrderReviewed events: customers' reviews live in the order service.
constexpr const char* kSelectStore =
    "SELECT s.store_id, s.name, s.category, s.address, s.lat, s.lon, "
    "(SELECT AVG(rating) FROM store_ratings r WHERE r.store_id = s.store_id), "
    "(SELECT COUNT(*) FROM store_ratings r WHERE r.store_id = s.store_id) FROM stores s ";

Response list_stores(Db& db, Request&) {
  boost::json::array items;
  for (const auto& row : db.query(std::string(kSelectStore) + "ORDER BY s.store_id")) items.push_back(store_json(row));
  return platform::json_response(200, platform::hal::collection("stores", std::move(items), "/stores"));
}

Response get_store(Db& db, Request& request) {
  auto id = request.id_param("storeId");
  auto row = db.query_one(std::string(kSelectStore) + "WHERE s.store_id = ?", {id});
  if (!row) throw platform::not_found("no store " + std::to_string(id));
  auto body = store_json(*row);
  boost::json::array menu;
  for (const auto& item : db.query("SELECT menu_id, name, price FROM menu_items WHERE store_id = ? ORDER BY menu_id",
                                    {id}))
    menu.push_back({{"menuId", item.integer(0)}, {"name", item.text(1)}, {"price", item.integer(2)}});
  body["menu"] = std::move(menu);
  return platform::json_response(200, body);
}

constexpr const char* kSelectCooking =
    "SELECT order_id, store_id, customer, items, total_price, address, lat, lon, status, requested_at, reason "
    "FROM food_cookings ";

FoodCooking cooking_from(const platform::Row& row) {
  return {row.integer(0), row.integer(1), row.text(2), row.text(3), row.integer(4), row.text(5), row.real(6),
          row.real(7), cooking_status_from(row.text(8)), row.integer(9), row.text(10)};
}

std::optional<FoodCooking> find_cooking(Db& db, std::int64_t order_id) {
  auto row = db.query_one(std::string(kSelectCooking) + "WHERE order_id = ?", {order_id});
  if (!row) return std::nullopt;
  return cooking_from(*row);
}

void save(Db& tx, const FoodCooking& cooking) {
  tx.exec("INSERT INTO food_cookings (order_id, store_id, customer, items, total_price, address, lat, lon, status, "
          "requested_at, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, requested_at = excluded.requested_at, "
          "reason = excluded.reason, updated_at = excluded.updated_at",
          {cooking.order_id, cooking.store_id, cooking.customer, cooking.items, cooking.total_price, cooking.address,
           cooking.lat, cooking.lon, std::string(to_string(cooking.status)), cooking.requested_at,
           cooking.reason.empty() ? platform::Value(nullptr) : cooking.reason, platform::now_ms()});
}

boost::json::object cooking_json(const FoodCooking& cooking) {
  auto self = "/foodCookings/" + std::to_string(cooking.order_id);
  std::vector<std::pair<std::string, std::string>> links{{"self", self}, {"foodCooking", self}};
  for (const auto& command : cooking.allowed_commands()) links.emplace_back(command, self + "/" + command);
  boost::json::object out{{"orderId", cooking.order_id},
                          {"storeId", cooking.store_id},
                          {"customerId", cooking.customer},
                          {"items", boost::json::parse(cooking.items)},
                          {"totalPrice", cooking.total_price},
                          {"address", cooking.address},
                          {"status", to_string(cooking.status)},
                          {"requestedAt", platform::iso_time(cooking.requested_at)},
                          {"_links", platform::hal::links(links)}};
  if (!cooking.reason.empty()) out["reason"] = cooking.reason;
  return out;
}

std::int64_t owned_store(const platform::Identity& identity, const Request& request) {
  auto owner = identity.require(request, "owner");
  try {
    return std::stoll(owner.store_id);
  } catch (const std::exception&) {
    throw platform::forbidden("your account owns no store");
  }
}

Response list_cookings(Db& db, const platform::Identity& identity, Request& request) {
  auto store_id = owned_store(identity, request);
  boost::json::array items;
  for (const auto& row : db.query(std::string(kSelectCooking) +
                                      "WHERE store_id = ? AND requested_at != 0 ORDER BY order_id DESC LIMIT 500",
                                  {store_id}))
    items.push_back(cooking_json(cooking_from(row)));
  return platform::json_response(200, platform::hal::collection("foodCookings", std::move(items), "/foodCookings"));
}

// Another store's order is reported as absent, as if it did not exist.
FoodCooking owners_cooking(Db& db, std::int64_t store_id, std::int64_t order_id) {
  auto cooking = find_cooking(db, order_id);
  if (!cooking || cooking->store_id != store_id || !cooking->listed())
    throw platform::not_found("no food cooking for order " + std::to_string(order_id) + " in your store");
  return std::move(*cooking);
}

Response get_cooking(Db& db, const platform::Identity& identity, Request& request) {
  auto store_id = owned_store(identity, request);
  return platform::json_response(200, cooking_json(owners_cooking(db, store_id, request.id_param("orderId"))));
}

using Command = std::function<std::vector<platform::Event>(FoodCooking&, Request&)>;

// An owner's command on one of the store's orders: decided and recorded with its events in
// one transaction, so two commands racing cannot both win.
Response command_cooking(Db& db, const platform::Identity& identity, Request& request, const Command& command) {
  auto store_id = owned_store(identity, request);
  auto order_id = request.id_param("orderId");
  FoodCooking result;
  db.transaction([&](Db& tx) {
    auto cooking = owners_cooking(tx, store_id, order_id);
    auto events = command(cooking, request);
    save(tx, cooking);
    platform::append_events(tx, events);
    result = std::move(cooking);
  });
  platform::log::info("kitchen step", {{"orderId", std::to_string(order_id)}, {"status", to_string(result.status)}});
  return platform::json_response(200, cooking_json(result));
}

// Internal (C4): the order service asks whether the order can still be canceled.
Response cancel_cooking(Db& db, const platform::Identity& identity, Request& request) {
  identity.require(request, "service");
  auto order_id = request.id_param("orderId");
  FoodCooking result;
  db.transaction([&](Db& tx) {
    auto cooking = find_cooking(tx, order_id).value_or(canceled_before_arrival(order_id));
    cooking.cancel();
    save(tx, cooking);
    result = std::move(cooking);
  });
  platform::log::info("cooking canceled", {{"orderId", std::to_string(order_id)}});
  return platform::json_response(200, {{"orderId", order_id}, {"status", to_string(result.status)}});
}

// The kitchen learns of the order when it is placed and keeps it back until it is paid.
void on_order_placed(Db& tx, const platform::ReceivedEvent& event) {
  const auto& body = event.body;
  auto order_id = body.at("orderId").as_int64();
  if (find_cooking(tx, order_id)) return;  // canceled before it arrived
  FoodCooking cooking{order_id,
                      body.at("storeId").as_int64(),
                      std::string(body.at("customerId").as_string()),
                      boost::json::serialize(body.at("items")),
                      body.at("totalPrice").as_int64(),
                      std::string(body.at("address").as_string()),
                      body.at("lat").to_number<double>(),
                      body.at("lon").to_number<double>()};
  save(tx, cooking);
}

template <class Transition>
platform::Reaction on_event(Transition transition) {
  return [transition](Db& tx, const platform::ReceivedEvent& event) {
    auto cooking = find_cooking(tx, event.body.at("orderId").as_int64());
    if (!cooking) throw std::runtime_error("event before the order was known; retrying");
    try {
      auto events = transition(*cooking);
      save(tx, *cooking);
      platform::append_events(tx, events);
      if (cooking->status == CookingStatus::Requested)
        platform::log::info("order reached the store", {{"orderId", event.order_id()}});
    } catch (const platform::Problem& refused) {
      platform::log::warn("event ignored", {{"orderId", event.order_id()}, {"eventType", event.type},
                                            {"reason", refused.detail}});
    }
  };
}

void on_order_reviewed(Db& tx, const platform::ReceivedEvent& event) {
  tx.exec("INSERT INTO store_ratings (order_id, store_id, rating) VALUES (?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
          {event.body.at("orderId").as_int64(), event.body.at("storeId").as_int64(),
           event.body.at("rating").as_int64()});
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  seed_demo_stores(db);
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("GET", "/stores", [&](Request& r) { return list_stores(db, r); });
  router.add("GET", "/stores/{storeId}", [&](Request& r) { return get_store(db, r); });
  router.add("GET", "/foodCookings", [&](Request& r) { return list_cookings(db, identity, r); });
  router.add("GET", "/foodCookings/{orderId}", [&](Request& r) { return get_cooking(db, identity, r); });
  router.add("PUT", "/foodCookings/{orderId}/accept", [&](Request& r) {
    return command_cooking(db, identity, r, [](FoodCooking& c, Request&) { return c.accept(); });
  });
  router.add("PUT", "/foodCookings/{orderId}/reject", [&](Request& r) {
    return command_cooking(db, identity, r, [](FoodCooking& c, Request& req) {
      return c.reject(parse_rejection(req.json_object()));
    });
  });
  router.add("PUT", "/foodCookings/{orderId}/start", [&](Request& r) {
    return command_cooking(db, identity, r, [](FoodCooking& c, Request&) { return c.start(); });
  });
  router.add("PUT", "/foodCookings/{orderId}/finish", [&](Request& r) {
    return command_cooking(db, identity, r, [&db](FoodCooking& c, Request&) {
      auto row = db.query_one("SELECT store_id, name, lat, lon FROM stores WHERE store_id = ?", {c.store_id});
      if (!row) throw std::runtime_error("store " + std::to_string(c.store_id) + " is missing from its own table");
      Store store;
      store.store_id = row->integer(0);
      store.name = row->text(1);
      store.lat = row->real(2);
      store.lon = row->real(3);
      return c.finish(store);
    });
  });
  router.add("PUT", "/internal/foodCookings/{orderId}/cancel", [&](Request& r) { return cancel_cooking(db, identity, r); });
  using namespace contracts::event;
  return {{OrderPlaced, on_order_placed},
          {PaymentApproved, on_event([](FoodCooking& c) { return c.payment_approved(platform::now_ms()); })},
          {PaymentFailed, on_event([](FoodCooking& c) { return c.payment_failed(); })},
          {OrderCanceled,
           on_event([](FoodCooking& c) {
             c.cancel();
             return std::vector<platform::Event>{};
           })},
          {OrderReviewed, on_order_reviewed}};
}

}  // namespace store
