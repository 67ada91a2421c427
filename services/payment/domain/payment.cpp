#include "domain/payment.hpp"

#include <stdexcept>

#include "contracts/events.hpp"
#include "platform/problem.hpp"

namespace payment {

const char* to_string(Status status) {
  switch (status) {
    case Status::Approved: return contracts::payment_status::Approved;
    case Status::Failed: return contracts::payment_status::Failed;
    case Status::Canceled: return contracts::payment_status::Canceled;
    case Status::Settled: return contracts::payment_status::Settled;
  }
  return "UNKNOWN";
}

Status status_from(std::string_view text) {
  for (auto status : {Status::Approved, Status::Failed, Status::Canceled, Status::Settled})
    if (text == to_string(status)) return status;
  throw std::invalid_argument("unknown payment status " + std::string(text));
}

CardProcessor::Outcome CardProcessor::authorize(std::int64_t amount) const {
  if (amount <= 0) return {false, "amount must be positive"};
  if (amount > limit) return {false, "amount " + std::to_string(amount) + " exceeds the card limit of " +
                                         std::to_string(limit)};
  return {true, {}};
}

std::pair<Payment, std::vector<platform::Event>> Payment::charge(std::int64_t order_id, std::string customer,
                                                                 std::int64_t amount, const CardProcessor& processor,
                                                                 std::int64_t now_ms) {
  auto outcome = processor.authorize(amount);
  Payment payment{order_id, std::move(customer), amount, outcome.approved ? Status::Approved : Status::Failed,
                  outcome.reason, now_ms};
  boost::json::object body{{"orderId", payment.order_id},
                           {"customerId", payment.customer},
                           {"amount", payment.amount},
                           {"status", to_string(payment.status)}};
  if (!outcome.approved) body["reason"] = payment.reason;
  return {std::move(payment),
          {{outcome.approved ? contracts::event::PaymentApproved : contracts::event::PaymentFailed, std::move(body)}}};
}

Payment Payment::canceled_before_charge(std::int64_t order_id, std::int64_t now_ms) {
  return {order_id, "", 0, Status::Canceled, "canceled before it was charged", now_ms};
}

platform::Event Payment::event(const char* type) const {
  return {type,
          {{"orderId", order_id}, {"customerId", customer}, {"amount", amount}, {"status", to_string(status)}}};
}

std::vector<platform::Event> Payment::cancel() {
  switch (status) {
    case Status::Approved: status = Status::Canceled; return {event(contracts::event::PaymentCanceled)};
    case Status::Failed:
    case Status::Canceled: return {};
    case Status::Settled: break;
  }
  throw platform::conflict("payment for order " + std::to_string(order_id) + " is settled and can no longer be refunded");
}

std::vector<platform::Event> Payment::settle() {
  if (status != Status::Approved)
    throw platform::conflict("payment for order " + std::to_string(order_id) + " is " + to_string(status) +
                             "; only an approved payment settles");
  status = Status::Settled;
  return {event(contracts::event::PaymentSettled)};
}

}  // namespace payment
