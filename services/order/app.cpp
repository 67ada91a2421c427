#include "app.hpp"

#include <boost/json.hpp>

#include "contracts/events.hpp"
#include "domain/order.hpp"
#include "platform/clock.hpp"
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
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, items TEXT NOT NULL,
  total_price INTEGER NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  status TEXT NOT NULL, placed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer, order_id);
)";

constexpr const char* kSelectOrder =
    "SELECT order_id, customer, store_id, items, total_price, address, lat, lon, status, placed_at FROM orders ";

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
  return order;
}

std::optional<Order> find_order(Db& db, std::int64_t id) {
  auto row = db.query_one(std::string(kSelectOrder) + "WHERE order_id = ?", {id});
  if (!row) return std::nullopt;
  return order_from(*row);
}

void insert_order(Db& tx, const Order& order) {
  tx.exec(
      "INSERT INTO orders (order_id, customer, store_id, items, total_price, address, lat, lon, status, placed_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {order.id, order.customer, order.store_id, boost::json::serialize(items_json(order.items)), order.total_price,
       order.address, order.lat, order.lon, std::string(to_string(order.status)), order.placed_at, order.placed_at});
}

void save_status(Db& tx, const Order& order) {
  tx.exec("UPDATE orders SET status = ?, updated_at = ? WHERE order_id = ?",
          {std::string(to_string(order.status)), platform::now_ms(), order.id});
}

boost::json::object order_json(const Order& order) {
  auto self = "/orders/" + std::to_string(order.id);
  return {{"orderId", order.id},
          {"customerId", order.customer},
          {"storeId", order.store_id},
          {"items", items_json(order.items)},
          {"totalPrice", order.total_price},
          {"address", order.address},
          {"lat", order.lat},
          {"lon", order.lon},
          {"status", to_string(order.status)},
          {"placedAt", platform::iso_time(order.placed_at)},
          {"_links", platform::hal::links({{"self", self},
                                           {"order", self},
                                           {"status", "/orderStatuses/" + std::to_string(order.id)},
                                           {"payment", "/payments/" + std::to_string(order.id)}})}};
}

Response place_order(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto command = parse_place_order(request.json_object());
  Order placed;
  db.transaction([&](Db& tx) {
    auto id = tx.query_one("SELECT COALESCE(MAX(order_id), 0) + 1 FROM orders")->integer(0);
    bool store_known = tx.query_one("SELECT 1 FROM catalog_store WHERE store_id = ?", {command.store_id}).has_value();
    auto menu = [&](std::int64_t menu_id) -> std::optional<MenuItem> {
      auto row = tx.query_one("SELECT menu_id, store_id, name, price FROM catalog_menu WHERE menu_id = ?", {menu_id});
      if (!row) return std::nullopt;
      return MenuItem{row->integer(0), row->integer(1), row->text(2), row->integer(3)};
    };
    auto [order, events] = Order::place(id, customer.subject, command, store_known, menu, platform::now_ms());
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

Response get_order(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.caller(request);
  auto order = find_order(db, request.id_param("orderId"));
  // Another customer's order is reported as absent, not forbidden: ids are not a secret to probe.
  if (!order || (caller.role == "customer" && order->customer != caller.subject) ||
      (caller.role == "owner" && std::to_string(order->store_id) != caller.store_id) || caller.role == "rider")
    throw platform::not_found("no order " + request.param("orderId"));
  return platform::json_response(200, order_json(*order));
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

// A payment outcome moves the order; a stale or repeated outcome is logged and dropped.
platform::Reaction on_payment(std::vector<platform::Event> (Order::*transition)()) {
  return [transition](Db& tx, const platform::ReceivedEvent& event) {
    auto id = event.body.at("orderId").as_int64();
    auto order = find_order(tx, id);
    if (!order) {
      platform::log::warn("payment outcome for an unknown order", {{"orderId", event.order_id()}});
      return;
    }
    try {
      auto events = ((*order).*transition)();
      save_status(tx, *order);
      platform::append_events(tx, events);
    } catch (const platform::Problem& refused) {
      platform::log::warn("event ignored", {{"orderId", event.order_id()}, {"reason", refused.detail}});
    }
  };
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("POST", "/orders", [&](Request& r) { return place_order(db, identity, r); });
  router.add("GET", "/orders/{orderId}", [&](Request& r) { return get_order(db, identity, r); });
  host.readiness([&db] {
    return db.query_one("SELECT 1 FROM catalog_store LIMIT 1") ? std::string() : std::string("store catalog");
  });
  return {{contracts::event::StoreOpened, on_store_opened},
          {contracts::event::PaymentApproved, on_payment(&Order::payment_approved)},
          {contracts::event::PaymentFailed, on_payment(&Order::payment_failed)}};
}

}  // namespace order
