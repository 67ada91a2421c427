#pragma once
// The CQRS read model: an order's status as the customer sees it, built only from events.
// No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace customer {

struct Step {
  std::string status;          // the order's status after the event
  std::string payment_status;  // set on the steps of payment events only
  std::string event_type;      // the event that made the step
  std::int64_t at = 0;         // epoch ms, the event's timestamp
};

struct OrderStatus {
  std::int64_t order_id = 0;
  std::string customer;
  std::int64_t store_id = 0;
  std::string store_name;
  std::string status;          // PLACED, PAID, ... (contracts::order_status)
  std::string payment_status;  // empty until the first payment event (contracts::payment_status)
  std::string rider_id;        // empty until a rider is assigned
  std::int64_t total_price = 0;
  std::string items;  // JSON text, as the order was placed
  std::vector<Step> timeline;
};

// What an event did to a view.
enum class Effect {
  Ignored,        // not an order-status event, already applied, or after the end
  StepAdded,      // a step that leaves the order's status as it was (payment canceled or settled,
                  // or a step that arrived after a later one)
  StatusChanged,  // a new order status: the customer is told of it
  TooEarly,       // the order's OrderPlaced has not been seen yet: try again later
};

// Applies an event: creates the view on OrderPlaced, adds a step otherwise. An event type
// appears at most once in an order's life, so a second one (published again under another
// id) is ignored; so is a status change after a final status (PAYMENT_FAILED, REJECTED,
// CANCELED, DELIVERED). Throws std::invalid_argument when the body lacks a field the view
// needs: such an event will never apply, however often it is delivered.
Effect apply(std::optional<OrderStatus>& view, std::string_view event_type, const boost::json::object& body);

// The event types the view follows, for subscribing to them.
const std::vector<std::string>& followed_events();

}  // namespace customer
