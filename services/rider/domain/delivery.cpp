#include "domain/delivery.hpp"

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
          now_ms};
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
