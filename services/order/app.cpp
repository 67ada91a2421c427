#include "app.hpp"

#include <boost/json.hpp>

#include "contracts/events.hpp"
#include "domain/order.hpp"
#include "platform/clock.hpp"
#include "platform/http_client.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace order {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

// The catalog is a replica of the store service's menus, fed by StoreOpened, so that
// pricing an order never waits on another service.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS catalog_store (store_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalog_menu (
  menu_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL, name TEXT NOT NULL, price INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, store_name TEXT NOT NULL,
  items TEXT NOT NULL, total_price INTEGER NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  status TEXT NOT NULL, rider TEXT, placed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  cancel_requested_at INTEGER);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer, order_id);
CREATE TABLE IF NOT EXISTS reviews (
  review_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL UNIQUE, store_id INTEGER NOT NULL,
  customer TEXT NOT NULL, rating INTEGER NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_by_store ON reviews (store_id, review_id);
)";

constexpr const char* kSelectOrder =
    "SELECT order_id, customer, store_id, items, total_price, address, lat, lon, status, placed_at, store_name, rider "
    "FROM orders ";

Order order_from(const platform::Row& row) {
  Order order;
  order.id = row.integer(0);
  order.customer = row.text(1);
  order.store_id = row.integer(2);
  order.items = items_from_json(boost::json::parse(row.text(3)).as_array());
  order.total_price = row.integer(4);
  order.address = row.text(5);
  order.lat = row.real(6);
  order.lon = row.real(7);
  order.status = status_from(row.text(8));
  order.placed_at = row.integer(9);
  order.store_name = row.text(10);
  order.rider = row.text(11);
  return order;
}

std::optional<Order> find_order(Db& db, std::int64_t id) {
  auto row = db.query_one(std::string(kSelectOrder) + "WHERE order_id = ?", {id});
  if (!row) return std::nullopt;
  return order_from(*row);
}

void insert_order(Db& tx, const Order& order) {
  tx.exec(
      "INSERT INTO orders (order_id, customer, store_id, store_name, items, total_price, address, lat, lon, status, "
      "placed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {order.id, order.customer, order.store_id, order.store_name, boost::json::serialize(items_json(order.items)),
       order.total_price, order.address, order.lat, order.lon, std::string(to_string(order.status)), order.placed_at,
       order.placed_at});
}

void save_status(Db& tx, const Order& order) {
  tx.exec("UPDATE orders SET status = ?, rider = ?, updated_at = ? WHERE order_id = ?",
          {std::string(to_string(order.status)), order.rider.empty() ? platform::Value(nullptr) : order.rider,
           platform::now_ms(), order.id});
}

// Links advertise the commands the order's state allows now.
boost::json::object order_links(const Order& order) {
  auto id = std::to_string(order.id);
  auto self = "/orders/" + id;
  std::vector<std::pair<std::string, std::string>> links{
      {"self", self}, {"order", self}, {"status", "/orderStatuses/" + id}, {"payment", "/payments/" + id}};
  for (const auto& command : order.allowed_commands())
    links.emplace_back(command, command == "review" ? std::string("/reviews") : self + "/" + command);
  return platform::hal::links(links);
}

boost::json::object order_json(const Order& order) {
  auto out = order.snapshot();
  out["placedAt"] = platform::iso_time(order.placed_at);
  out["_links"] = order_links(order);
  if (!order.rider.empty()) out["riderId"] = order.rider;
  return out;
}

Response place_order(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto command = parse_place_order(request.json_object());
  Order placed;
  db.transaction([&](Db& tx) {
    auto id = tx.query_one("SELECT COALESCE(MAX(order_id), 0) + 1 FROM orders")->integer(0);
    auto store = tx.query_one("SELECT name FROM catalog_store WHERE store_id = ?", {command.store_id});
    auto menu = [&](std::int64_t menu_id) -> std::optional<MenuItem> {
      auto row = tx.query_one("SELECT menu_id, store_id, name, price FROM catalog_menu WHERE menu_id = ?", {menu_id});
      if (!row) return std::nullopt;
      return MenuItem{row->integer(0), row->integer(1), row->text(2), row->integer(3)};
    };
    auto [order, events] = Order::place(id, customer.subject, command, store ? store->text(0) : std::string(), menu,
                                       platform::now_ms());
    insert_order(tx, order);
    platform::append_events(tx, events);
    placed = std::move(order);
  });
  auto id = std::to_string(placed.id);
  platform::log::info("order placed", {{"orderId", id}, {"customer", placed.customer}});
  auto response = platform::json_response(201, order_json(placed));
  response.headers.emplace_back("Location", "/orders/" + id);
  return response;
}

// The order as its customer (or its store's owner) may see it; anyone else is told it does
// not exist: ids are not a secret to probe.
Order visible_order(Db& db, const platform::Claims& caller, const Request& request) {
  auto order = find_order(db, request.id_param("orderId"));
  bool allowed = order && ((caller.role == "customer" && order->customer == caller.subject) ||
                           (caller.role == "owner" && std::to_string(order->store_id) == caller.store_id));
  if (!allowed) throw platform::not_found("no order " + request.param("orderId"));
  return std::move(*order);
}

Response get_order(Db& db, const platform::Identity& identity, Request& request) {
  return platform::json_response(200, order_json(visible_order(db, identity.caller(request), request)));
}

Response list_orders(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  boost::json::array items;
  for (const auto& row :
       db.query(std::string(kSelectOrder) + "WHERE customer = ? ORDER BY order_id DESC LIMIT 100", {customer.subject}))
    items.push_back(order_json(order_from(row)));
  return platform::json_response(200, platform::hal::collection("orders", std::move(items), "/orders"));
}

// The synchronous side of C4: the store and payment are asked now, because the customer
// needs the answer now.
class Partners {
 public:
  Partners(platform::ServiceHost& host)
      : identity_(host.identity()),
        store_breaker_(host.breaker("store")),
        payment_breaker_(host.breaker("payment")),
        store_url_(host.config().get("STORE_URL", "http://127.0.0.1:8084")),
        payment_url_(host.config().get("PAYMENT_URL", "http://127.0.0.1:8083")),
        store_timeout_(host.config().integer("STORE_TIMEOUT_MS", 2000)),
        // The seeds' Hystrix timeout.
        payment_timeout_(host.config().integer("PAYMENT_TIMEOUT_MS", 610)) {}

  // The store decides atomically whether cooking has started: its refusal is ours (409);
  // without its answer nothing can be decided (503).
  void cancel_cooking(std::int64_t order_id) const {
    auto target = "/internal/foodCookings/" + std::to_string(order_id) + "/cancel";
    platform::Response reply;
    try {
      auto store = platform::HttpClient::to(store_url_, std::chrono::milliseconds(store_timeout_));
      store.guard(store_breaker_);
      reply = store.send("PUT", target, {}, {{"Authorization", "Bearer " + identity_.service_token("order")}});
    } catch (const std::exception& error) {
      platform::log::warn("store did not answer the cancel", {{"orderId", std::to_string(order_id)},
                                                               {"error", error.what()}});
      throw platform::unavailable(
          "the store could not be asked whether cooking has started; the cancel is retried until it answers");
    }
    if (reply.status == 409) throw platform::conflict(detail_of(reply, "the store refused the cancel"));
    if (reply.status != 200) {
      platform::log::warn("store refused the cancel", {{"orderId", std::to_string(order_id)}, {"reply", reply.body}});
      throw platform::unavailable("the store could not cancel the cooking; try again");
    }
  }

  // True when payment refunded now. False sends the refund the asynchronous way: payment
  // reacts to OrderCanceled, and its own state makes the refund happen once.
  bool cancel_payment(std::int64_t order_id) const {
    auto target = "/internal/payments/" + std::to_string(order_id) + "/cancel";
    try {
      auto payment = platform::HttpClient::to(payment_url_, std::chrono::milliseconds(payment_timeout_));
      payment.guard(payment_breaker_);
      auto reply = payment.send("PUT", target, {}, {{"Authorization", "Bearer " + identity_.service_token("order")}});
      if (reply.status == 200) return true;
      platform::log::warn("payment refused the cancel; refund follows from OrderCanceled",
                          {{"orderId", std::to_string(order_id)}, {"reply", reply.body}});
    } catch (const std::exception& error) {
      platform::log::warn("payment did not answer the cancel; refund follows from OrderCanceled",
                          {{"orderId", std::to_string(order_id)}, {"error", error.what()}});
    }
    return false;
  }

 private:
  static std::string detail_of(const platform::Response& reply, const std::string& fallback) {
    boost::system::error_code ec;
    auto body = boost::json::parse(reply.body, ec);
    if (!ec && body.is_object())
      if (auto* detail = body.as_object().if_contains("detail"); detail && detail->is_string())
        return std::string(detail->get_string());
    return fallback;
  }

  const platform::Identity& identity_;
  std::shared_ptr<platform::CircuitBreaker> store_breaker_;
  std::shared_ptr<platform::CircuitBreaker> payment_breaker_;
  std::string store_url_;
  std::string payment_url_;
  std::int64_t store_timeout_;
  std::int64_t payment_timeout_;
};

// Loads the caller's order, applies a command in one transaction with its events.
template <class Command>
Order command_order(Db& db, const platform::Claims& customer, std::int64_t id, Command command) {
  Order result;
  db.transaction([&](Db& tx) {
    auto order = find_order(tx, id);
    if (!order || order->customer != customer.subject) throw platform::not_found("no order " + std::to_string(id));
    auto events = command(*order);
    save_status(tx, *order);
    platform::append_events(tx, events);
    result = std::move(*order);
  });
  return result;
}

void forget_cancel(Db& db, std::int64_t id) {
  db.exec("UPDATE orders SET cancel_requested_at = NULL WHERE order_id = ?", {id});
}

// The cancel's steps after its intent was recorded: the store (decides), payment (refunds
// now or by event), the order. Each is idempotent, so one interrupted by a crash is simply
// run again by the recovery below until the store's answer is known.
Order carry_out_cancel(Db& db, const Partners& partners, std::int64_t id) {
  try {
    partners.cancel_cooking(id);
  } catch (const platform::Problem& refused) {
    if (refused.status == 409) forget_cancel(db, id);  // cooking started: the intent is void
    throw;
  }
  bool refunded = partners.cancel_payment(id);
  Order result;
  db.transaction([&](Db& tx) {
    auto order = find_order(tx, id);
    auto events = order->cancel(refunded);
    save_status(tx, *order);
    tx.exec("UPDATE orders SET cancel_requested_at = NULL WHERE order_id = ?", {id});
    platform::append_events(tx, events);
    result = std::move(*order);
  });
  platform::log::info("order canceled", {{"orderId", std::to_string(id)}, {"refunded", refunded ? "now" : "later"}});
  return result;
}

Response cancel_order(Db& db, const platform::Identity& identity, const Partners& partners, Request& request) {
  auto customer = identity.require(request, "customer");
  auto id = visible_order(db, customer, request).id;
  // The intent is recorded before the store is asked: should this process die after the
  // store agreed, the recovery finishes the cancel instead of leaving the order paid.
  db.transaction([&](Db& tx) {
    find_order(tx, id)->check_cancelable();
    tx.exec("UPDATE orders SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE order_id = ?",
            {platform::now_ms(), id});
  });
  return platform::json_response(200, order_json(carry_out_cancel(db, partners, id)));
}

// Cancels whose process died, or whose store did not answer, between the intent and the end.
void recover_cancels(Db& db, const Partners& partners) {
  auto rows = db.query("SELECT order_id FROM orders WHERE cancel_requested_at IS NOT NULL AND cancel_requested_at < ?",
                       {platform::now_ms() - 2000});
  for (const auto& row : rows) {
    auto id = row.integer(0);
    auto order = find_order(db, id);
    try {
      order->check_cancelable();
    } catch (const platform::Problem&) {
      forget_cancel(db, id);
      continue;
    }
    try {
      carry_out_cancel(db, partners, id);
    } catch (const platform::Problem& problem) {
      platform::log::warn("interrupted cancel not finished yet", {{"orderId", std::to_string(id)},
                                                                   {"reason", problem.detail}});
    }
  }
}

Response confirm_delivery(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto id = visible_order(db, customer, request).id;
  return platform::json_response(200, order_json(command_order(db, customer, id, [](Order& o) {
                                   return o.confirm_delivery();
                                 })));
}

boost::json::object review_json(const platform::Row& row) {
  auto id = std::to_string(row.integer(0));
  return {{"reviewId", row.integer(0)},     {"orderId", row.integer(1)}, {"storeId", row.integer(2)},
          {"customerId", row.text(3)},      {"rating", row.integer(4)},  {"content", row.text(5)},
          {"createdAt", platform::iso_time(row.integer(6))},
          {"_links", platform::hal::links({{"self", "/reviews/" + id}, {"order", "/orders/" + std::to_string(row.integer(1))}})}};
}

constexpr const char* kSelectReview =
    "SELECT review_id, order_id, store_id, customer, rating, content, created_at FROM reviews ";

Response post_review(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto review = parse_review(request.json_object());
  std::int64_t review_id = 0;
  db.transaction([&](Db& tx) {
    auto order = find_order(tx, review.order_id);
    if (!order || order->customer != customer.subject)
      throw platform::not_found("no order " + std::to_string(review.order_id) + " among your orders");
    if (tx.query_one("SELECT 1 FROM reviews WHERE order_id = ?", {order->id}))
      throw platform::conflict("order " + std::to_string(order->id) + " has already been reviewed");
    review_id = tx.query_one("SELECT COALESCE(MAX(review_id), 0) + 1 FROM reviews")->integer(0);
    auto events = order->review(review_id, review);
    tx.exec("INSERT INTO reviews (review_id, order_id, store_id, customer, rating, content, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {review_id, order->id, order->store_id, order->customer, review.rating, review.content, platform::now_ms()});
    platform::append_events(tx, events);
  });
  auto row = db.query_one(std::string(kSelectReview) + "WHERE review_id = ?", {review_id});
  auto response = platform::json_response(201, review_json(*row));
  response.headers.emplace_back("Location", "/reviews/" + std::to_string(review_id));
  return response;
}

// A store's reviews and average rating: public, like the store itself, for its owner and
// for customers choosing a store.
Response list_reviews(Db& db, Request& request) {
  auto it = request.query.find("storeId");
  if (it == request.query.end()) throw platform::bad_request("query parameter storeId is required");
  std::int64_t store_id = 0;
  try {
    std::size_t used = 0;
    store_id = std::stoll(it->second, &used);
    if (used != it->second.size() || store_id <= 0) throw std::invalid_argument("not positive");
  } catch (const std::exception&) {
    throw platform::bad_request("storeId must be a positive integer");
  }
  boost::json::array items;
  std::int64_t sum = 0;
  for (const auto& row :
       db.query(std::string(kSelectReview) + "WHERE store_id = ? ORDER BY review_id DESC LIMIT 200", {store_id})) {
    sum += row.integer(4);
    items.push_back(review_json(row));
  }
  auto count = static_cast<std::int64_t>(items.size());
  auto body = platform::hal::collection("reviews", std::move(items), "/reviews?storeId=" + std::to_string(store_id));
  body["storeId"] = store_id;
  body["reviewCount"] = count;
  body["averageRating"] = count ? static_cast<double>(sum) / static_cast<double>(count) : 0.0;
  return platform::json_response(200, body);
}

Response get_review(Db& db, Request& request) {
  auto row = db.query_one(std::string(kSelectReview) + "WHERE review_id = ?", {request.id_param("reviewId")});
  if (!row) throw platform::not_found("no review " + request.param("reviewId"));
  return platform::json_response(200, review_json(*row));
}

void on_store_opened(Db& tx, const platform::ReceivedEvent& event) {
  const auto& body = event.body;
  auto store_id = body.at("storeId").as_int64();
  tx.exec("INSERT INTO catalog_store (store_id, name) VALUES (?, ?) "
          "ON CONFLICT (store_id) DO UPDATE SET name = excluded.name",
          {store_id, std::string(body.at("name").as_string())});
  tx.exec("DELETE FROM catalog_menu WHERE store_id = ?", {store_id});
  for (const auto& value : body.at("menu").as_array()) {
    const auto& item = value.as_object();
    tx.exec("INSERT INTO catalog_menu (menu_id, store_id, name, price) VALUES (?, ?, ?, ?)",
            {item.at("menuId").as_int64(), store_id, std::string(item.at("name").as_string()),
             item.at("price").as_int64()});
  }
}

// Another service reports a step of the order; a stale or repeated report is logged and dropped.
platform::Reaction on_report(std::function<std::vector<platform::Event>(Order&, const platform::ReceivedEvent&)> step) {
  return [step = std::move(step)](Db& tx, const platform::ReceivedEvent& event) {
    auto order = find_order(tx, event.body.at("orderId").as_int64());
    if (!order) {
      platform::log::warn("event for an unknown order", {{"orderId", event.order_id()}, {"eventType", event.type}});
      return;
    }
    try {
      auto events = step(*order, event);
      save_status(tx, *order);
      platform::append_events(tx, events);
    } catch (const platform::Problem& refused) {
      platform::log::warn("event ignored", {{"orderId", event.order_id()}, {"eventType", event.type},
                                            {"reason", refused.detail}});
    }
  };
}

platform::Reaction on_report(std::vector<platform::Event> (Order::*transition)()) {
  return on_report([transition](Order& order, const platform::ReceivedEvent&) { return (order.*transition)(); });
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  if (!db.query_one("SELECT 1 FROM pragma_table_info('orders') WHERE name = 'cancel_requested_at'"))
    db.script("ALTER TABLE orders ADD COLUMN cancel_requested_at INTEGER;");
  const auto& identity = host.identity();
  // Cancels wait on the store and payment: more threads keep other requests flowing meanwhile.
  host.default_http_threads(4);
  auto partners = std::make_shared<Partners>(host);
  auto& router = host.router();
  router.add("POST", "/orders", [&](Request& r) { return place_order(db, identity, r); });
  router.add("GET", "/orders", [&](Request& r) { return list_orders(db, identity, r); });
  router.add("GET", "/orders/{orderId}", [&](Request& r) { return get_order(db, identity, r); });
  router.add("PUT", "/orders/{orderId}/cancel",
             [&, partners](Request& r) { return cancel_order(db, identity, *partners, r); });
  host.every(std::chrono::seconds(1), [&db, partners] { recover_cancels(db, *partners); });
  router.add("PUT", "/orders/{orderId}/deliveryconfirm", [&](Request& r) { return confirm_delivery(db, identity, r); });
  router.add("POST", "/reviews", [&](Request& r) { return post_review(db, identity, r); });
  router.add("GET", "/reviews", [&](Request& r) { return list_reviews(db, r); });
  router.add("GET", "/reviews/{reviewId}", [&](Request& r) { return get_review(db, r); });
  host.readiness([&db] {
    return db.query_one("SELECT 1 FROM catalog_store LIMIT 1") ? std::string() : std::string("store catalog");
  });
  using namespace contracts::event;
  return {{StoreOpened, on_store_opened},
          {PaymentApproved, on_report(&Order::payment_approved)},
          {PaymentFailed, on_report(&Order::payment_failed)},
          {OrderAccepted, on_report(&Order::accepted)},
          {OrderRejected, on_report(&Order::rejected)},
          {CookStarted, on_report(&Order::cook_started)},
          {CookFinished, on_report(&Order::cook_finished)},
          {DeliveryAssigned, on_report([](Order& order, const platform::ReceivedEvent& event) {
             return order.rider_assigned(std::string(event.body.at("riderId").as_string()));
           })},
          {Picked, on_report(&Order::picked_up)}};
}

}  // namespace order
