#include "domain/food_cooking.hpp"

#include <stdexcept>

#include "contracts/events.hpp"
#include "platform/problem.hpp"

namespace store {

const char* to_string(CookingStatus status) {
  switch (status) {
    case CookingStatus::AwaitingPayment: return "AWAITING_PAYMENT";
    case CookingStatus::PaymentFailed: return "PAYMENT_FAILED";
    case CookingStatus::Requested: return contracts::cooking_status::Requested;
  }
  return "UNKNOWN";
}

CookingStatus cooking_status_from(std::string_view text) {
  for (auto status : {CookingStatus::AwaitingPayment, CookingStatus::PaymentFailed, CookingStatus::Requested})
    if (text == to_string(status)) return status;
  throw std::invalid_argument("unknown cooking status " + std::string(text));
}

namespace {
platform::Problem not_awaiting(const FoodCooking& cooking) {
  return platform::conflict("food cooking " + std::to_string(cooking.order_id) + " is " + to_string(cooking.status) +
                            ", not awaiting payment");
}
}  // namespace

std::vector<platform::Event> FoodCooking::payment_approved(std::int64_t now_ms) {
  switch (status) {
    case CookingStatus::AwaitingPayment:
      status = CookingStatus::Requested;
      requested_at = now_ms;
      return {};
    case CookingStatus::PaymentFailed:
    case CookingStatus::Requested: break;
  }
  throw not_awaiting(*this);
}

std::vector<platform::Event> FoodCooking::payment_failed() {
  switch (status) {
    case CookingStatus::AwaitingPayment: status = CookingStatus::PaymentFailed; return {};
    case CookingStatus::PaymentFailed:
    case CookingStatus::Requested: break;
  }
  throw not_awaiting(*this);
}

}  // namespace store
