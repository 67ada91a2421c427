#include "domain/delivery.hpp"

#include <algorithm>
#include <stdexcept>

#include "contracts/events.hpp"
#include "platform/problem.hpp"

namespace rider {

const char* to_string(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Open: return contracts::delivery_status::Open;
    case DeliveryStatus::Assigned: return contracts::delivery_status::Assigned;
    case DeliveryStatus::PickedUp: return contracts::delivery_status::PickedUp;
    case DeliveryStatus::Delivered: return contracts::delivery_status::Delivered;
  }
  return "UNKNOWN";
}

DeliveryStatus delivery_status_from(std::string_view text) {
  for (auto status : {DeliveryStatus::Open, DeliveryStatus::Assigned, DeliveryStatus::PickedUp,
                      DeliveryStatus::Delivered})
    if (text == to_string(status)) return status;
  throw std::invalid_argument("unknown delivery status " + std::string(text));
}

platform::Problem unseen(std::int64_t order_id) {
  return platform::not_found("no delivery for order " + std::to_string(order_id) + " near you or held by you");
}

namespace {
std::string named(const Delivery& delivery) { return "delivery " + std::to_string(delivery.order_id); }
}  // namespace

Delivery Delivery::open(const contracts::CookFinished& cooked, std::int64_t now_ms) {
  return {cooked.orderId,
          cooked.customerId,
          cooked.storeId,
          cooked.storeName,
          {cooked.storeLat, cooked.storeLon},
          cooked.address,
          {cooked.lat, cooked.lon},
          DeliveryStatus::Open,
          "",
          now_ms,
          std::nullopt};
}

bool Delivery::offered_to(const RiderPosition& position) const {
  return status == DeliveryStatus::Open && position.reaches(destination);
}

bool Delivery::visible_to(std::string_view someone, const std::optional<RiderPosition>& position) const {
  return held_by(someone) || (position && offered_to(*position));
}

platform::Events Delivery::assign(const RiderPosition& by) {
  if (!visible_to(by.rider, by)) throw unseen(order_id);
  switch (status) {
    case DeliveryStatus::Open:
      status = DeliveryStatus::Assigned;
      rider = by.rider;
      return platform::events(contracts::DeliveryAssigned{order_id, customer, rider, store_id});
    case DeliveryStatus::Assigned:
    case DeliveryStatus::PickedUp:
    case DeliveryStatus::Delivered: break;
  }
  throw platform::conflict(named(*this) + " is already assigned to you (" + to_string(status) + ")");
}

platform::Events Delivery::pick(const RiderPosition& by) {
  if (!visible_to(by.rider, by)) throw unseen(order_id);
  switch (status) {
    case DeliveryStatus::Open:
      throw platform::conflict(named(*this) + " is OPEN: take it first with PUT /deliveries/" +
                               std::to_string(order_id) + "/assign");
    case DeliveryStatus::Assigned:
      status = DeliveryStatus::PickedUp;
      return platform::events(contracts::Picked{order_id, customer, rider});
    case DeliveryStatus::PickedUp:
    case DeliveryStatus::Delivered: break;
  }
  throw platform::conflict(named(*this) + " is already " + to_string(status) +
                           "; only an ASSIGNED delivery is picked up");
}

platform::Events Delivery::report_position(std::string_view by, const std::optional<RiderPosition>& their_position,
                                           Point at, std::int64_t now_ms, std::int64_t min_interval_ms) {
  if (!visible_to(by, their_position)) throw unseen(order_id);
  if (!held_by(by))
    throw platform::forbidden(named(*this) + " is not yours: only the rider who took it reports its position");
  if (status == DeliveryStatus::Delivered)
    throw platform::conflict(named(*this) + " is DELIVERED: its position is no longer followed");
  if (last_reported) {
    auto since_ms = now_ms - last_reported->reported_at;
    // A clock set back makes the rider wait one interval at most.
    auto wait_ms = std::min(min_interval_ms, min_interval_ms - since_ms);
    if (wait_ms > 0)
      throw platform::too_many_requests(
          named(*this) + ": one position every " + std::to_string(min_interval_ms / 1000) + " s; the last one came " +
              std::to_string(std::max<std::int64_t>(0, since_ms)) + " ms ago",
          (wait_ms + 999) / 1000);
  }
  last_reported = ReportedPoint{at, now_ms};
  // The customer's view shows the event's timestamp as the position's reportedAt.
  return platform::events_at(now_ms, contracts::RiderPositionReported{order_id, customer, rider, at.lat, at.lon});
}

platform::Events Delivery::delivery_confirmed() {
  switch (status) {
    case DeliveryStatus::PickedUp: status = DeliveryStatus::Delivered; return {};
    case DeliveryStatus::Open:
    case DeliveryStatus::Assigned:
    case DeliveryStatus::Delivered: break;
  }
  throw platform::conflict(named(*this) + " is " + to_string(status) + ", not PICKED_UP: it cannot be delivered");
}

}  // namespace rider
