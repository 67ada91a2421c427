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
  total_price INTEGER NOT NULL, address TEXT NOT NULL, status TEXT NOT NULL, requested_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS food_cookings_by_store ON food_cookings (store_id, order_id);
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
  auto self = "/stores/" + std::to_string(row.integer(0));
  return {{"storeId", row.integer(0)}, {"name", row.text(1)},  {"category", row.text(2)},
          {"address", row.text(3)},    {"lat", row.real(4)},   {"lon", row.real(5)},
          {"_links", platform::hal::links({{"self", self}, {"store", self}})}};
}

constexpr const char* kSelectStore = "SELECT store_id, name, category, address, lat, lon FROM stores ";

Response list_stores(Db& db, Request&) {
  boost::json::array items;
  for (const auto& row : db.query(std::string(kSelectStore) + "ORDER BY store_id")) items.push_back(store_json(row));
  return platform::json_response(200, platform::hal::collection("stores", std::move(items), "/stores"));
}

Response get_store(Db& db, Request& request) {
  auto id = request.id_param("storeId");
  auto row = db.query_one(std::string(kSelectStore) + "WHERE store_id = ?", {id});
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
    "SELECT order_id, store_id, customer, items, total_price, address, status, requested_at FROM food_cookings ";

FoodCooking cooking_from(const platform::Row& row) {
  return {row.integer(0), row.integer(1), row.text(2), row.text(3), row.integer(4), row.text(5),
          cooking_status_from(row.text(6)), row.integer(7)};
}

boost::json::object cooking_json(const FoodCooking& cooking) {
  auto self = "/foodCookings/" + std::to_string(cooking.order_id);
  return {{"orderId", cooking.order_id},
          {"storeId", cooking.store_id},
          {"customerId", cooking.customer},
          {"items", boost::json::parse(cooking.items)},
          {"totalPrice", cooking.total_price},
          {"address", cooking.address},
          {"status", to_string(cooking.status)},
          {"requestedAt", platform::iso_time(cooking.requested_at)},
          {"_links", platform::hal::links({{"self", self}, {"foodCooking", self}})}};
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
  for (const auto& row : db.query(std::string(kSelectCooking) + "WHERE store_id = ? ORDER BY order_id DESC LIMIT 500",
                                  {store_id})) {
    auto cooking = cooking_from(row);
    if (cooking.listed()) items.push_back(cooking_json(cooking));
  }
  return platform::json_response(200, platform::hal::collection("foodCookings", std::move(items), "/foodCookings"));
}

Response get_cooking(Db& db, const platform::Identity& identity, Request& request) {
  auto store_id = owned_store(identity, request);
  auto id = request.id_param("orderId");
  auto row = db.query_one(std::string(kSelectCooking) + "WHERE order_id = ?", {id});
  if (!row) throw platform::not_found("no food cooking for order " + std::to_string(id));
  auto cooking = cooking_from(*row);
  if (cooking.store_id != store_id || !cooking.listed())
    throw platform::not_found("no food cooking for order " + std::to_string(id));
  return platform::json_response(200, cooking_json(cooking));
}

// The kitchen learns of the order when it is placed and keeps it back until it is paid.
void on_order_placed(Db& tx, const platform::ReceivedEvent& event) {
  const auto& body = event.body;
  auto now = platform::now_ms();
  tx.exec("INSERT INTO food_cookings (order_id, store_id, customer, items, total_price, address, status, "
          "requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
          {body.at("orderId").as_int64(), body.at("storeId").as_int64(), std::string(body.at("customerId").as_string()),
           boost::json::serialize(body.at("items")), body.at("totalPrice").as_int64(),
           std::string(body.at("address").as_string()), std::string(to_string(CookingStatus::AwaitingPayment)), now,
           now});
}

template <class Transition>
platform::Reaction on_payment(Transition transition) {
  return [transition](Db& tx, const platform::ReceivedEvent& event) {
    auto row = tx.query_one(std::string(kSelectCooking) + "WHERE order_id = ?", {event.body.at("orderId").as_int64()});
    if (!row) throw std::runtime_error("payment outcome before the order was known; retrying");
    auto cooking = cooking_from(*row);
    try {
      auto events = transition(cooking);
      tx.exec("UPDATE food_cookings SET status = ?, requested_at = ?, updated_at = ? WHERE order_id = ?",
              {std::string(to_string(cooking.status)), cooking.requested_at, platform::now_ms(), cooking.order_id});
      platform::append_events(tx, events);
      if (cooking.listed()) platform::log::info("order reached the store", {{"orderId", event.order_id()}});
    } catch (const platform::Problem& refused) {
      platform::log::warn("event ignored", {{"orderId", event.order_id()}, {"reason", refused.detail}});
    }
  };
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
  return {{contracts::event::OrderPlaced, on_order_placed},
          {contracts::event::PaymentApproved,
           on_payment([](FoodCooking& c) { return c.payment_approved(platform::now_ms()); })},
          {contracts::event::PaymentFailed, on_payment([](FoodCooking& c) { return c.payment_failed(); })}};
}

}  // namespace store
