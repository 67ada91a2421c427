#pragma once
// FoodCooking: an order as the store's kitchen sees it. It is held back until the payment
// is approved, then the owner accepts or rejects it, starts and finishes cooking. Each
// command returns the events it causes; a command in the wrong state is a 409 and changes
// nothing. No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/events.hpp"
#include "platform/event.hpp"

namespace store {

struct Store;

enum class CookingStatus { AwaitingPayment, PaymentFailed, Requested, Accepted, Rejected, Cooking, Cooked, Canceled };
const char* to_string(CookingStatus status);
CookingStatus cooking_status_from(std::string_view text);

inline constexpr std::size_t kMaxReason = 200;
// The owner's reason for a rejection: {"reason": "..."}; Problem 400 otherwise.
std::string parse_rejection(const boost::json::object& body);

// The owner's cooking time on accept: {"cookingMinutes": 10..60}, or nothing for the default,
// so that clients from before it was asked still accept. Problem 400 otherwise.
using contracts::kDefaultCookingMinutes;
std::int64_t parse_acceptance(const boost::json::object& body);

struct FoodCooking {
  std::int64_t order_id = 0;
  std::int64_t store_id = 0;
  std::string customer;
  std::string items;  // the order's lines as JSON text, shown to the owner as they were ordered
  std::int64_t total_price = 0;
  std::string address;
  double lat = 0;  // the customer's, for the riders
  double lon = 0;
  CookingStatus status = CookingStatus::AwaitingPayment;
  std::int64_t requested_at = 0;  // when it reached the owner's list; 0 if it never did
  std::string reason;             // why it was rejected

  // The kitchen learns of an order when it is placed, and keeps it back until it is paid.
  static FoodCooking placed(const contracts::OrderPlaced& order);

  // In the owner's list once it was paid (and stays there, whatever happens next).
  bool listed() const { return requested_at != 0; }

  // Payment outcomes: no event of the store's own. Problem 409 when not awaiting payment.
  platform::Events payment_approved(std::int64_t now_ms);
  platform::Events payment_failed();

  // The owner's commands (R4, R5).
  platform::Events accept(std::int64_t cooking_minutes = kDefaultCookingMinutes);
  platform::Events reject(const std::string& why);
  platform::Events start();
  platform::Events finish(const Store& store);

  // R6: a customer may cancel only before cooking starts; Problem 409 after. Asked
  // synchronously by the order service (C4), which announces the cancel itself, so no
  // event here. Cancelling twice is no error.
  platform::Events cancel();

  // The commands the owner may give now, for HAL links.
  std::vector<std::string> allowed_commands() const;

 private:
  // Problem 409 unless the order is `from` in the kitchen.
  void step(CookingStatus from, CookingStatus to);
};

// An order canceled before the store heard of it: kept so that its late OrderPlaced and
// PaymentApproved never bring it to the owner.
FoodCooking canceled_before_arrival(std::int64_t order_id);

}  // namespace store
