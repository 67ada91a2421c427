#pragma once
// The CQRS read model: an order's status as the customer sees it, built only from events.
// No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace customer {

struct Step {
  std::string status;      // PLACED, PAID, ...
  std::string event_type;  // the event that caused it
  std::int64_t at = 0;     // epoch ms, the event's timestamp
};

struct OrderStatus {
  std::int64_t order_id = 0;
  std::string customer;
  std::int64_t store_id = 0;
  std::string status;
  std::int64_t total_price = 0;
  std::string items;  // JSON text
  std::vector<Step> timeline;
};

// The status word an event moves the view to, or nothing when the event does not concern it.
std::optional<std::string> status_after(std::string_view event_type);

// Applies an event to the view: creates it on OrderPlaced, appends a step otherwise.
// Returns false when the event changes nothing (unknown order, or not a status event).
bool apply(std::optional<OrderStatus>& view, std::string_view event_type, const boost::json::object& body);

}  // namespace customer
