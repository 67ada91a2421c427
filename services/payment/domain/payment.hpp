#pragma once
// The Payment aggregate and the built-in card-processor simulator. No I/O here.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/event.hpp"

namespace payment {

enum class Status { Approved, Failed, Canceled, Settled };
const char* to_string(Status status);
Status status_from(std::string_view text);

// Stands in for a card processor: approves up to the card's limit, declines above it, so
// a decline can be produced on purpose with a large order.
struct CardProcessor {
  std::int64_t limit = 300000;  // KRW per order

  struct Outcome {
    bool approved;
    std::string reason;
  };
  Outcome authorize(std::int64_t amount) const;
};

struct Payment {
  std::int64_t order_id = 0;
  std::string customer;
  std::int64_t amount = 0;
  Status status = Status::Approved;
  std::string reason;  // why it failed
  std::int64_t created_at = 0;

  // Charges an order placed by a customer: PaymentApproved or PaymentFailed.
  static std::pair<Payment, platform::Events> charge(std::int64_t order_id, std::string customer, std::int64_t amount,
                                                     const CardProcessor& processor, std::int64_t now_ms);

  // An order canceled before payment heard of it: kept so that its late OrderPlaced is never charged.
  static Payment canceled_before_charge(std::int64_t order_id, std::int64_t now_ms);
  // Its OrderPlaced arrives after all: now that it knows whose it is, it tells them it was
  // canceled (PaymentCanceled, amount 0), so every view of the payment agrees. Problem 409 for
  // an order charged already (a repeated OrderPlaced).
  platform::Events order_placed(const std::string& customer);

  // The refund (compensation for a rejection or a cancel): PaymentCanceled once; nothing
  // when there is nothing to refund (declined, or already refunded). Problem 409 once settled.
  platform::Events cancel();
  // The customer confirmed delivery: the money goes to the store. Problem 409 unless approved.
  platform::Events settle();
};

}  // namespace payment
