#pragma once
// FoodCooking: an order as the store's kitchen sees it. It is held back until the
// payment is approved, then it enters the owner's list as REQUESTED. No I/O here.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/event.hpp"

namespace store {

enum class CookingStatus { AwaitingPayment, PaymentFailed, Requested };
const char* to_string(CookingStatus status);
CookingStatus cooking_status_from(std::string_view text);

struct FoodCooking {
  std::int64_t order_id = 0;
  std::int64_t store_id = 0;
  std::string customer;
  std::string items;  // the order's lines as JSON text, shown to the owner as they were ordered
  std::int64_t total_price = 0;
  std::string address;
  CookingStatus status = CookingStatus::AwaitingPayment;
  std::int64_t requested_at = 0;

  // Visible in the owner's list only once paid.
  bool listed() const { return status != CookingStatus::AwaitingPayment && status != CookingStatus::PaymentFailed; }

  // Problem 409 when not awaiting payment.
  std::vector<platform::Event> payment_approved(std::int64_t now_ms);
  std::vector<platform::Event> payment_failed();
};

}  // namespace store
