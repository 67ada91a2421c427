// The payment service's HTTP handlers: transport only.
#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/problem.hpp"

namespace payment {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

boost::json::object payment_json(const Payment& payment) {
  auto id = std::to_string(payment.order_id);
  boost::json::object out{{"orderId", payment.order_id},
                          {"customerId", payment.customer},
                          {"amount", payment.amount},
                          {"status", to_string(payment.status)},
                          {"createdAt", platform::iso_time(payment.created_at)},
                          {"_links", platform::hal::links({{"self", "/payments/" + id}, {"order", "/orders/" + id}})}};
  if (!payment.reason.empty()) out["reason"] = payment.reason;
  return out;
}

Response get_payment(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto payment = payments().get(db, request.id_param("orderId"),
                                [&](const Payment& p) { return p.customer == caller.subject; });
  return platform::json_response(200, payment_json(payment));
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

}  // namespace

void add_routes(platform::ServiceHost& host) {
  auto& db = host.db();
  const auto& identity = host.identity();
  host.router().add("GET", "/payments/{orderId}", [&](Request& r) { return get_payment(db, identity, r); });
  host.router().add("PUT", "/internal/payments/{orderId}/cancel",
                    [&](Request& r) { return cancel_payment(db, identity, r); });
}

}  // namespace payment
