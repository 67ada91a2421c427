#pragma once
// The CQRS read model: an order's status as the customer sees it, built only from events.
// No I/O here.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "contracts/events.hpp"

namespace customer {

struct Step {
  std::string status;          // the order's status after the event
  std::string payment_status;  // set on the steps of payment events only
  std::string event_type;      // the event that made the step
  std::int64_t at = 0;         // epoch ms, the event's timestamp
};

// Where the rider carrying the order last said they were, and when (epoch ms, the time of
// the rider's report).
struct RiderPosition {
  double lat = 0;
  double lon = 0;
  std::int64_t reported_at = 0;
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
  std::string items;  // JSON text of the line items, as the order was placed
  std::vector<Step> timeline;
  std::optional<RiderPosition> rider_position;  // while the order is on its way: RIDER_ASSIGNED, PICKED_UP
  std::int64_t estimated_arrival = 0;  // epoch ms; 0 before the store accepts and once the order ends
  std::int64_t ride_minutes = 0;       // from the store to the customer, once cooking finished
};

// The estimated arrival, a simple one: the owner's cooking time, then kPickupMinutes for a
// rider to come and take it, then the ride at kRideMetersPerMinute (15 km/h) over the
// straight-line distance from the store to the customer (kRideAllowanceMinutes until the
// view knows it, at CookFinished). Made again from the event's time when the store accepts,
// when cooking finishes and when the rider picks up.
inline constexpr std::int64_t kPickupMinutes = 10, kRideAllowanceMinutes = 15;
inline constexpr double kRideMetersPerMinute = 250;

// What an event did to a view.
enum class Effect {
  Ignored,        // already applied, or a status change after the end
  StepAdded,      // a step that leaves the order's status as it was (payment canceled or settled,
                  // or a step that arrived after a later one)
  StatusChanged,  // a new order status: the customer is told of it
  RiderMoved,     // the rider carrying it reported a newer position: no step, no message
};

// What one event after OrderPlaced reports, in the view's words.
struct Report {
  std::string_view event_type;
  std::string_view status;          // the order status it reports; empty: it reports on the payment only
  std::string_view payment_status;  // set by the payment's events
  std::string rider_id;             // set by the events that name the rider
  std::string store_name;           // set by the events that name the store
  std::int64_t at = 0;              // epoch ms, the event's timestamp
  std::int64_t cooking_minutes = 0;  // set by OrderAccepted
  std::int64_t ride_minutes = 0;     // set by CookFinished
};

// OrderPlaced creates the view; a second one (published again under another id) is ignored.
Effect apply(std::optional<OrderStatus>& view, const contracts::OrderPlaced& placed, std::int64_t at);

// Adds the step a later event reports. An event type appears at most once in an order's
// life, so a second one is ignored; so is a status change after a final status
// (PAYMENT_FAILED, REJECTED, CANCELED, DELIVERED). Throws platform::TooEarly before the
// order's OrderPlaced was seen.
Effect apply(std::optional<OrderStatus>& view, const Report& report);

// The rider's newest position, reported at `at`, while the order is RIDER_ASSIGNED or
// PICKED_UP. A report older than the one shown (delivered again after a newer one), or one
// after the order's end, is ignored; one before its DeliveryAssigned was seen throws
// platform::TooEarly. Reaching a final status (DELIVERED) forgets the position.
Effect apply(std::optional<OrderStatus>& view, const contracts::RiderPositionReported& reported, std::int64_t at);

// The order status an event reports: its own status word, where that is not the order's.
template <class E>
constexpr std::string_view order_status_of() {
  if constexpr (std::is_same_v<E, contracts::PaymentApproved>) return contracts::order_status::Paid;
  else if constexpr (std::is_same_v<E, contracts::PaymentFailed>) return contracts::order_status::PaymentFailed;
  else if constexpr (std::is_same_v<E, contracts::DeliveryAssigned>) return contracts::order_status::RiderAssigned;
  else if constexpr (E::producer == "payment") return {};  // a refund or a settlement: the order stays where it is
  else return E::status;
}

template <class E>
Report report_of(const E& event, std::int64_t at) {
  Report report{E::type, order_status_of<E>(), E::producer == "payment" ? E::status : std::string_view(), {}, {}, at};
  if constexpr (requires { event.riderId.value_or(""); })
    report.rider_id = event.riderId.value_or("");
  else if constexpr (requires { event.riderId; })
    report.rider_id = event.riderId;
  if constexpr (requires { event.storeName; }) report.store_name = event.storeName;
  if constexpr (std::is_same_v<E, contracts::OrderAccepted>)
    report.cooking_minutes = event.cookingMinutes.value_or(contracts::kDefaultCookingMinutes);
  if constexpr (std::is_same_v<E, contracts::CookFinished>)
    report.ride_minutes = static_cast<std::int64_t>(std::ceil(
        contracts::store_terms::distance_m(event.storeLat, event.storeLon, event.lat, event.lon) / kRideMetersPerMinute));
  return report;
}

// Any followed event, at the time it was appended.
template <class E>
Effect apply(std::optional<OrderStatus>& view, const E& event, std::int64_t at) {
  return customer::apply(view, report_of(event, at));
}

}  // namespace customer
