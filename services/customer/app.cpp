#include "app.hpp"

#include <boost/json.hpp>

#include "contracts/events.hpp"
#include "domain/order_status.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace customer {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS order_statuses (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, status TEXT NOT NULL,
  total_price INTEGER NOT NULL, items TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS order_statuses_by_customer ON order_statuses (customer, order_id);
CREATE TABLE IF NOT EXISTS timeline (
  order_id INTEGER NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, event_type TEXT NOT NULL,
  at INTEGER NOT NULL, PRIMARY KEY (order_id, seq));
)";

std::optional<OrderStatus> load(Db& db, std::int64_t order_id) {
  auto row = db.query_one(
      "SELECT order_id, customer, store_id, status, total_price, items FROM order_statuses WHERE order_id = ?",
      {order_id});
  if (!row) return std::nullopt;
  OrderStatus view{row->integer(0), row->text(1), row->integer(2), row->text(3), row->integer(4), row->text(5), {}};
  for (const auto& step :
       db.query("SELECT status, event_type, at FROM timeline WHERE order_id = ? ORDER BY seq", {order_id}))
    view.timeline.push_back({step.text(0), step.text(1), step.integer(2)});
  return view;
}

void save(Db& tx, const OrderStatus& view) {
  tx.exec("INSERT INTO order_statuses (order_id, customer, store_id, status, total_price, items, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, "
          "updated_at = excluded.updated_at",
          {view.order_id, view.customer, view.store_id, view.status, view.total_price, view.items, platform::now_ms()});
  const auto& step = view.timeline.back();
  tx.exec("INSERT INTO timeline (order_id, seq, status, event_type, at) VALUES (?, ?, ?, ?, ?)",
          {view.order_id, static_cast<std::int64_t>(view.timeline.size()), step.status, step.event_type, step.at});
}

boost::json::object view_json(const OrderStatus& view) {
  boost::json::array timeline;
  for (const auto& step : view.timeline)
    timeline.push_back({{"status", step.status}, {"eventType", step.event_type}, {"at", platform::iso_time(step.at)}});
  auto id = std::to_string(view.order_id);
  return {{"orderId", view.order_id},
          {"customerId", view.customer},
          {"storeId", view.store_id},
          {"status", view.status},
          {"totalPrice", view.total_price},
          {"items", boost::json::parse(view.items)},
          {"timeline", std::move(timeline)},
          {"_links", platform::hal::links({{"self", "/orderStatuses/" + id}, {"order", "/orders/" + id}})}};
}

Response get_status(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto id = request.id_param("orderId");
  auto view = load(db, id);
  if (!view || view->customer != caller.subject) throw platform::not_found("no order status for order " + std::to_string(id));
  return platform::json_response(200, view_json(*view));
}

Response list_statuses(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  boost::json::array items;
  for (const auto& row : db.query(
           "SELECT order_id FROM order_statuses WHERE customer = ? ORDER BY order_id DESC LIMIT 100", {caller.subject}))
    if (auto view = load(db, row.integer(0))) items.push_back(view_json(*view));
  return platform::json_response(200, platform::hal::collection("orderStatuses", std::move(items), "/orderStatuses"));
}

void project(Db& tx, const platform::ReceivedEvent& event) {
  auto view = load(tx, event.body.at("orderId").as_int64());
  if (apply(view, event.type, event.body)) save(tx, *view);
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("GET", "/orderStatuses", [&](Request& r) { return list_statuses(db, identity, r); });
  router.add("GET", "/orderStatuses/{orderId}", [&](Request& r) { return get_status(db, identity, r); });
  std::map<std::string, platform::Reaction> reactions;
  for (const auto* type :
       {contracts::event::OrderPlaced, contracts::event::PaymentApproved, contracts::event::PaymentFailed})
    reactions[type] = project;
  return reactions;
}

}  // namespace customer
