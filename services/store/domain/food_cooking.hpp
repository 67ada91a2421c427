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

#include "platform/event.hpp"

namespace store {

struct Store;

enum class CookingStatus { AwaitingPayment, PaymentFailed, Requested, Accepted, Rejected, Cooking, Cooked, Canceled };
const char* to_string(CookingStatus status);
CookingStatus cooking_status_from(std::string_view text);

inline constexpr std::size_t kMaxReason = 200;
// The owner's reason for a rejection: {"reason": "..."}; Problem 400 otherwise.
std::string parse_rejection(const boost::json::object& body);

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

  // In the owner's list once it was paid (and stays there, whatever happens next).
  bool listed() const { return requested_at != 0; }

  // Payment outcomes. Problem 409 when not awaiting payment.
  std::vector<platform::Event> payment_approved(std::int64_t now_ms);
  std::vector<platform::Event> payment_failed();

  // The owner's commands (R4, R5).
  std::vector<platform::Event> accept();
  std::vector<platform::Event> reject(const std::string& why);
  std::vector<platform::Event> start();
  std::vector<platform::Event> finish(const Store& store);

  // The customer's cancel, asked synchronously by the order service (C4): allowed until
  // cooking starts; Problem 409 after. Cancelling twice is no error.
  void cancel();

  // The commands the owner may give now, for HAL links.
  std::vector<std::string> allowed_commands() const;

 private:
  platform::Event event(const char* type) const;
  std::vector<platform::Event> move(CookingStatus from, CookingStatus to, const char* event_type);
};

// An order canceled before the store heard of it: kept so that its late OrderPlaced and
// PaymentApproved never bring it to the owner.
FoodCooking canceled_before_arrival(std::int64_t order_id);

}  // namespace store
