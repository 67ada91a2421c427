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

std::pair<Payment, platform::Events> Payment::charge(std::int64_t order_id, std::string customer, std::int64_t amount,
                                                    const CardProcessor& processor, std::int64_t now_ms) {
  auto outcome = processor.authorize(amount);
  Payment payment{order_id, std::move(customer), amount, outcome.approved ? Status::Approved : Status::Failed,
                  outcome.reason, now_ms};
  if (!outcome.approved)
    return {payment, platform::events(contracts::PaymentFailed{order_id, payment.customer, amount, payment.reason})};
  return {payment, platform::events(contracts::PaymentApproved{order_id, payment.customer, amount})};
}

Payment Payment::canceled_before_charge(std::int64_t order_id, std::int64_t now_ms) {
  return {order_id, "", 0, Status::Canceled, "canceled before it was charged", now_ms};
}

platform::Events Payment::order_placed(const std::string& by) {
  if (status != Status::Canceled || !customer.empty())
    throw platform::conflict("order " + std::to_string(order_id) + " is already charged (" + to_string(status) + ")");
  customer = by;
  return platform::events(contracts::PaymentCanceled{order_id, customer, amount});
}

platform::Events Payment::cancel() {
  switch (status) {
    case Status::Approved:
      status = Status::Canceled;
      return platform::events(contracts::PaymentCanceled{order_id, customer, amount});
    case Status::Failed:
    case Status::Canceled: return {};
    case Status::Settled: break;
  }
  throw platform::conflict("payment for order " + std::to_string(order_id) + " is settled and can no longer be refunded");
}

platform::Events Payment::settle() {
  if (status != Status::Approved)
    throw platform::conflict("payment for order " + std::to_string(order_id) + " is " + to_string(status) +
                             "; only an approved payment settles");
  status = Status::Settled;
  return platform::events(contracts::PaymentSettled{order_id, customer, amount});
}

}  // namespace payment
