#pragma once
// The Order aggregate: placing it prices the lines from the store's menu (never from the
// client), and each transition returns the events it causes. No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/event.hpp"

namespace order {

struct MenuItem {
  std::int64_t menu_id = 0;
  std::int64_t store_id = 0;
  std::string name;
  std::int64_t price = 0;  // KRW
};

struct LineItem {
  std::int64_t menu_id = 0;
  std::string name;
  std::int64_t price = 0;
  std::int64_t qty = 0;
};

// A customer's order request, validated for shape and ranges.
struct PlaceOrder {
  std::int64_t store_id = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> items;  // menuId, qty
  std::string address;
  double lat = 0;
  double lon = 0;
};

inline constexpr std::int64_t kMaxQty = 99;
inline constexpr std::size_t kMaxLines = 30;
inline constexpr std::size_t kMaxAddress = 200;

// Throws platform::Problem 400 naming the offending field.
PlaceOrder parse_place_order(const boost::json::object& body);

// A report of a step whose precondition has not happened here yet (an event that overtook
// an earlier one after a crash): not a refusal, it is to be tried again later.
struct TooEarly : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Status {
  Placed,
  Paid,
  PaymentFailed,
  Accepted,
  Rejected,
  Cooking,
  Cooked,
  RiderAssigned,
  PickedUp,
  Delivered,
  Canceled
};
const char* to_string(Status status);
Status status_from(std::string_view text);

// A customer's review of a delivered order.
struct ReviewRequest {
  std::int64_t order_id = 0;
  std::int64_t rating = 0;  // 1..5
  std::string content;
};
inline constexpr std::size_t kMaxReview = 1000;
// Throws platform::Problem 400 naming the offending field.
ReviewRequest parse_review(const boost::json::object& body);

struct Order {
  std::int64_t id = 0;
  std::string customer;
  std::int64_t store_id = 0;
  std::string store_name;
  std::vector<LineItem> items;
  std::int64_t total_price = 0;
  std::string address;
  double lat = 0;
  double lon = 0;
  Status status = Status::Placed;
  std::int64_t placed_at = 0;  // epoch ms
  std::string rider;           // once a rider took the delivery

  // Prices each line from the menu; Problem 400 for an unknown store (store_name empty)
  // or a menu item that the store does not sell.
  static std::pair<Order, std::vector<platform::Event>> place(
      std::int64_t id, std::string customer, const PlaceOrder& request, const std::string& store_name,
      const std::function<std::optional<MenuItem>(std::int64_t)>& menu, std::int64_t now_ms);

  // What other services report. Each throws Problem 409 when the order is past the state the
  // report follows from (a stale or repeated event), TooEarly when it has not reached it yet,
  // and changes nothing then.
  std::vector<platform::Event> payment_approved();
  std::vector<platform::Event> payment_failed();
  std::vector<platform::Event> accepted();
  std::vector<platform::Event> rejected();
  std::vector<platform::Event> cook_started();
  std::vector<platform::Event> cook_finished();
  std::vector<platform::Event> rider_assigned(const std::string& rider_id);
  std::vector<platform::Event> picked_up();

  // The order's fields as its events and its representation carry them.
  boost::json::object snapshot() const;
  // The customer's commands the present state allows: cancel, deliveryconfirm, review.
  std::vector<std::string> allowed_commands() const;

  // The customer's commands. Cancelling is allowed until cooking starts (R6): check first,
  // ask the store and payment, then cancel. Problem 409 otherwise, with the reason.
  void check_cancelable() const;
  std::vector<platform::Event> cancel(bool refunded);
  std::vector<platform::Event> confirm_delivery();
  // Problem 409 unless delivered; the adapter makes it once per order.
  std::vector<platform::Event> review(std::int64_t review_id, const ReviewRequest& request) const;

 private:
  std::vector<platform::Event> move(Status from, Status to, const char* event_type = nullptr);
  platform::Event event(const char* type) const;
};

boost::json::array items_json(const std::vector<LineItem>& items);
std::vector<LineItem> items_from_json(const boost::json::array& items);

}  // namespace order
