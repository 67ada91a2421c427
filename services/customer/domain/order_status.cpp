#include "domain/order_status.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "platform/event.hpp"

namespace customer {

namespace order_status = contracts::order_status;

Effect apply(std::optional<OrderStatus>& view, const contracts::OrderPlaced& placed, std::int64_t at) {
  if (view) return Effect::Ignored;
  std::string status(contracts::OrderPlaced::status);
  view = OrderStatus{.order_id = placed.orderId,
                     .customer = placed.customerId,
                     .store_id = placed.storeId,
                     .store_name = placed.storeName,
                     .status = status,
                     .total_price = placed.totalPrice,
                     .items = boost::json::serialize(contracts::codec::write(placed.items)),
                     .timeline = {{status, {}, std::string(contracts::OrderPlaced::type), at}}};
  return Effect::StatusChanged;
}

namespace {

// Only a step that moves the status moves the estimate: one that arrives late does not.
void estimate_arrival(OrderStatus& view, const Report& report) {
  constexpr std::int64_t kMinute = 60'000;
  if (order_status::is_final(view.status)) view.estimated_arrival = 0;
  if (report.event_type == contracts::OrderAccepted::type)
    view.estimated_arrival = report.at + (report.cooking_minutes + kPickupMinutes + kRideAllowanceMinutes) * kMinute;
  if (report.event_type == contracts::CookFinished::type) {
    view.ride_minutes = report.ride_minutes;
    view.estimated_arrival = report.at + (kPickupMinutes + view.ride_minutes) * kMinute;
  }
  if (report.event_type == contracts::Picked::type)
    view.estimated_arrival = report.at + (view.ride_minutes ? view.ride_minutes : kRideAllowanceMinutes) * kMinute;
}

}  // namespace

Effect apply(std::optional<OrderStatus>& view, const Report& report) {
  // After a crash, events a killed instance held come back later than newer ones: an event
  // may overtake its order's OrderPlaced.
  if (!view)
    throw platform::TooEarly(std::string(report.event_type) + " arrived before its order's OrderPlaced; retrying");
  bool seen = std::any_of(view->timeline.begin(), view->timeline.end(),
                          [&](const Step& step) { return step.event_type == report.event_type; });
  if (seen) return Effect::Ignored;
  bool other_status = !report.status.empty() && view->status != report.status;
  if (other_status && order_status::is_final(view->status)) return Effect::Ignored;
  // A step that arrives after a later one (redelivered after a crash) is recorded but never
  // moves the status back.
  bool changes_status = other_status && order_status::rank(report.status) > order_status::rank(view->status);

  if (changes_status) {
    view->status = report.status;
    estimate_arrival(*view, report);
  }
  if (order_status::is_final(view->status)) view->rider_position.reset();
  if (!report.payment_status.empty()) view->payment_status = report.payment_status;
  if (!report.rider_id.empty()) view->rider_id = report.rider_id;
  if (view->store_name.empty()) view->store_name = report.store_name;
  view->timeline.push_back(
      {view->status, std::string(report.payment_status), std::string(report.event_type), report.at});
  return changes_status ? Effect::StatusChanged : Effect::StepAdded;
}

Effect apply(std::optional<OrderStatus>& view, const contracts::RiderPositionReported& reported, std::int64_t at) {
  if (!view)
    throw platform::TooEarly("RiderPositionReported arrived before its order's OrderPlaced; retrying");
  if (order_status::is_final(view->status)) return Effect::Ignored;
  if (order_status::rank(view->status) < order_status::rank(order_status::RiderAssigned))
    throw platform::TooEarly("RiderPositionReported arrived before its order's DeliveryAssigned; retrying");
  if (view->rider_position && view->rider_position->reported_at >= at) return Effect::Ignored;
  view->rider_position = RiderPosition{reported.lat, reported.lon, at};
  return Effect::RiderMoved;
}

}  // namespace customer
