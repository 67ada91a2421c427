#include "domain/delivery.hpp"

#include <cstdio>
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

namespace {

std::string km(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f km", value);
  return text;
}

std::string named(const Delivery& delivery) { return "delivery " + std::to_string(delivery.order_id); }

platform::Problem held_by_another(const Delivery& delivery) {
  return platform::forbidden(named(delivery) + " is assigned to another rider; only they can act on it");
}

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
          now_ms};
}

bool Delivery::offered_to(const RiderPosition& position) const {
  return status == DeliveryStatus::Open && position.reaches(destination);
}

bool Delivery::visible_to(std::string_view someone, const std::optional<RiderPosition>& position) const {
  return held_by(someone) || (position && offered_to(*position));
}

platform::Events Delivery::assign(const RiderPosition& by) {
  switch (status) {
    case DeliveryStatus::Open: {
      auto distance = distance_km(by.at, destination);
      if (distance > by.radius_km)
        throw platform::conflict(named(*this) + " goes to a customer " + km(distance) +
                                 " from your reported position, beyond your radius of " + km(by.radius_km) +
                                 "; report a closer position or a wider radiusKm with PUT /riders/me/location");
      status = DeliveryStatus::Assigned;
      rider = by.rider;
      return platform::events(contracts::DeliveryAssigned{order_id, customer, rider, store_id});
    }
    case DeliveryStatus::Assigned:
    case DeliveryStatus::PickedUp:
    case DeliveryStatus::Delivered: break;
  }
  throw platform::conflict(named(*this) + " is already assigned to " + (held_by(by.rider) ? "you" : "another rider") +
                           " (" + to_string(status) + ")");
}

platform::Events Delivery::pick(std::string_view by) {
  switch (status) {
    case DeliveryStatus::Open:
      throw platform::conflict(named(*this) + " is OPEN: take it first with PUT /deliveries/" +
                               std::to_string(order_id) + "/assign");
    case DeliveryStatus::Assigned:
      if (!held_by(by)) throw held_by_another(*this);
      status = DeliveryStatus::PickedUp;
      return platform::events(contracts::Picked{order_id, customer, rider});
    case DeliveryStatus::PickedUp:
    case DeliveryStatus::Delivered:
      if (!held_by(by)) throw held_by_another(*this);
      break;
  }
  throw platform::conflict(named(*this) + " is already " + to_string(status) +
                           "; only an ASSIGNED delivery is picked up");
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
