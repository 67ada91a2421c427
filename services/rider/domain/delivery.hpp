#pragma once
// Delivery: a cooked order on its way to the customer. It opens when the kitchen finishes,
// is offered to the riders near the customer, the first of them to take it holds it, only
// that rider picks it up, and the customer's confirmation ends it. Each transition returns
// the events it causes. No I/O here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "contracts/events.hpp"
#include "domain/geo.hpp"
#include "domain/rider_position.hpp"
#include "platform/event.hpp"

namespace rider {

enum class DeliveryStatus { Open, Assigned, PickedUp, Delivered };
const char* to_string(DeliveryStatus status);
DeliveryStatus delivery_status_from(std::string_view text);

struct Delivery {
  std::int64_t order_id = 0;
  std::string customer;
  std::int64_t store_id = 0;
  std::string store_name;
  Point store;
  std::string address;
  Point destination;  // the customer's
  DeliveryStatus status = DeliveryStatus::Open;
  std::string rider;  // who holds it; empty while OPEN
  std::int64_t opened_at = 0;  // epoch ms

  // The kitchen is done: OPEN to the riders near the customer.
  static Delivery open(const contracts::CookFinished& cooked, std::int64_t now_ms);

  bool held_by(std::string_view someone) const { return !rider.empty() && rider == someone; }
  // Open, and the customer is within the rider's radius.
  bool offered_to(const RiderPosition& position) const;
  // What a rider may look at: what is offered to them, and what they hold.
  bool visible_to(std::string_view someone, const std::optional<RiderPosition>& position) const;

  // OPEN → ASSIGNED to the rider; Problem 409 when someone already holds it or the
  // customer is beyond the rider's radius.
  platform::Events assign(const RiderPosition& by);
  // ASSIGNED → PICKED_UP; Problem 403 when another rider holds it, 409 in any other state.
  platform::Events pick(std::string_view by);
  // PICKED_UP → DELIVERED, on the customer's DeliveryConfirmed; Problem 409 otherwise.
  platform::Events delivery_confirmed();
};

}  // namespace rider
