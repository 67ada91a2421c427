#include "app.hpp"

#include <boost/json.hpp>

#include "contracts/events.hpp"
#include "domain/payment.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace payment {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS payments (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL,
  reason TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
)";

boost::json::object payment_json(const platform::Row& row) {
  auto order_id = row.integer(0);
  boost::json::object out{{"orderId", order_id},
                          {"customerId", row.text(1)},
                          {"amount", row.integer(2)},
                          {"status", row.text(3)},
                          {"createdAt", platform::iso_time(row.integer(5))},
                          {"_links", platform::hal::links({{"self", "/payments/" + std::to_string(order_id)},
                                                           {"order", "/orders/" + std::to_string(order_id)}})}};
  if (!row.is_null(4)) out["reason"] = row.text(4);
  return out;
}

Response get_payment(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto id = request.id_param("orderId");
  auto row = db.query_one(
      "SELECT order_id, customer, amount, status, reason, created_at FROM payments WHERE order_id = ?", {id});
  if (!row || row->text(1) != caller.subject)
    throw platform::not_found("no payment for order " + std::to_string(id));
  return platform::json_response(200, payment_json(*row));
}

platform::Reaction on_order_placed(CardProcessor processor) {
  return [processor](Db& tx, const platform::ReceivedEvent& event) {
    auto order_id = event.body.at("orderId").as_int64();
    if (tx.query_one("SELECT 1 FROM payments WHERE order_id = ?", {order_id})) {
      platform::log::warn("order already charged", {{"orderId", event.order_id()}});
      return;
    }
    auto [payment, events] =
        Payment::charge(order_id, std::string(event.body.at("customerId").as_string()),
                        event.body.at("totalPrice").as_int64(), processor, platform::now_ms());
    tx.exec("INSERT INTO payments (order_id, customer, amount, status, reason, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {payment.order_id, payment.customer, payment.amount, std::string(to_string(payment.status)),
             payment.reason.empty() ? platform::Value(nullptr) : platform::Value(payment.reason), payment.created_at,
             payment.created_at});
    platform::append_events(tx, events);
  };
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  const auto& identity = host.identity();
  host.router().add("GET", "/payments/{orderId}", [&](Request& r) { return get_payment(db, identity, r); });
  CardProcessor processor{host.config().integer("PAYMENT_CARD_LIMIT", CardProcessor{}.limit)};
  return {{contracts::event::OrderPlaced, on_order_placed(processor)}};
}

}  // namespace payment
