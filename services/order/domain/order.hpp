#pragma once
// The Order aggregate: placing it prices the lines from the store's menu (never from the
// client), and each transition returns the events it causes. No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
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

enum class Status { Placed, Paid, PaymentFailed };
const char* to_string(Status status);
Status status_from(std::string_view text);

struct Order {
  std::int64_t id = 0;
  std::string customer;
  std::int64_t store_id = 0;
  std::vector<LineItem> items;
  std::int64_t total_price = 0;
  std::string address;
  double lat = 0;
  double lon = 0;
  Status status = Status::Placed;
  std::int64_t placed_at = 0;  // epoch ms

  // Prices each line from the menu; Problem 400 for an unknown store or a menu item
  // that the store does not sell.
  static std::pair<Order, std::vector<platform::Event>> place(
      std::int64_t id, std::string customer, const PlaceOrder& request, bool store_known,
      const std::function<std::optional<MenuItem>(std::int64_t)>& menu, std::int64_t now_ms);

  // The payment's outcome. Problem 409 if the order is no longer awaiting payment.
  std::vector<platform::Event> payment_approved();
  std::vector<platform::Event> payment_failed();
};

boost::json::array items_json(const std::vector<LineItem>& items);
std::vector<LineItem> items_from_json(const boost::json::array& items);

}  // namespace order
