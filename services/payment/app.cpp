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

constexpr const char* kSelectPayment =
    "SELECT order_id, customer, amount, status, reason, created_at FROM payments ";

std::optional<Payment> find_payment(Db& db, std::int64_t order_id) {
  auto row = db.query_one(std::string(kSelectPayment) + "WHERE order_id = ?", {order_id});
  if (!row) return std::nullopt;
  return Payment{row->integer(0), row->text(1), row->integer(2), status_from(row->text(3)), row->text(4),
                 row->integer(5)};
}

void save(Db& tx, const Payment& payment) {
  tx.exec("INSERT INTO payments (order_id, customer, amount, status, reason, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, "
          "updated_at = excluded.updated_at",
          {payment.order_id, payment.customer, payment.amount, std::string(to_string(payment.status)),
           payment.reason.empty() ? platform::Value(nullptr) : platform::Value(payment.reason), payment.created_at,
           platform::now_ms()});
}

// Refunds with PaymentCanceled in the caller's transaction, whichever way the request came:
// the payment's own state makes a second request a no-op, so a refund happens once.
Payment refund(Db& tx, std::int64_t order_id) {
  auto payment = find_payment(tx, order_id).value_or(Payment::canceled_before_charge(order_id, platform::now_ms()));
  auto events = payment.cancel();
  save(tx, payment);
  platform::append_events(tx, events);
  if (!events.empty()) platform::log::info("payment refunded", {{"orderId", std::to_string(order_id)}});
  return payment;
}

// Internal (C4): the order service asks synchronously while the customer waits.
Response cancel_payment(Db& db, const platform::Identity& identity, Request& request) {
  identity.require(request, "service");
  auto order_id = request.id_param("orderId");
  Payment payment;
  db.transaction([&](Db& tx) { payment = refund(tx, order_id); });
  return platform::json_response(
      200, {{"orderId", payment.order_id}, {"status", to_string(payment.status)}, {"amount", payment.amount}});
}

// Compensation (C3): a rejected or canceled order is refunded, correlated by its orderId.
void on_refund_due(Db& tx, const platform::ReceivedEvent& event) {
  try {
    refund(tx, event.body.at("orderId").as_int64());
  } catch (const platform::Problem& refused) {
    platform::log::warn("refund refused", {{"orderId", event.order_id()}, {"reason", refused.detail}});
  }
}

void on_delivery_confirmed(Db& tx, const platform::ReceivedEvent& event) {
  auto payment = find_payment(tx, event.body.at("orderId").as_int64());
  if (!payment) throw std::runtime_error("delivery confirmed for an order never charged; retrying");
  try {
    auto events = payment->settle();
    save(tx, *payment);
    platform::append_events(tx, events);
  } catch (const platform::Problem& refused) {
    platform::log::warn("settlement refused", {{"orderId", event.order_id()}, {"reason", refused.detail}});
  }
}

platform::Reaction on_order_placed(CardProcessor processor) {
  return [processor](Db& tx, const platform::ReceivedEvent& event) {
    auto order_id = event.body.at("orderId").as_int64();
    if (auto known = find_payment(tx, order_id)) {
      // Canceled before it was charged: now we learn whose it is, so the customer can see it.
      if (known->customer.empty())
        tx.exec("UPDATE payments SET customer = ? WHERE order_id = ?",
                {std::string(event.body.at("customerId").as_string()), order_id});
      platform::log::warn("order already charged or canceled", {{"orderId", event.order_id()}});
      return;
    }
    auto [payment, events] =
        Payment::charge(order_id, std::string(event.body.at("customerId").as_string()),
                        event.body.at("totalPrice").as_int64(), processor, platform::now_ms());
    save(tx, payment);
    platform::append_events(tx, events);
  };
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  const auto& identity = host.identity();
  host.router().add("GET", "/payments/{orderId}", [&](Request& r) { return get_payment(db, identity, r); });
  host.router().add("PUT", "/internal/payments/{orderId}/cancel",
                    [&](Request& r) { return cancel_payment(db, identity, r); });
  CardProcessor processor{host.config().integer("PAYMENT_CARD_LIMIT", CardProcessor{}.limit)};
  using namespace contracts::event;
  return {{OrderPlaced, on_order_placed(processor)},
          {OrderRejected, on_refund_due},
          {OrderCanceled, on_refund_due},
          {DeliveryConfirmed, on_delivery_confirmed}};
}

}  // namespace payment
