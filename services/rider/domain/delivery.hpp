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
#include "platform/problem.hpp"

namespace rider {

enum class DeliveryStatus { Open, Assigned, PickedUp, Delivered };
const char* to_string(DeliveryStatus status);
DeliveryStatus delivery_status_from(std::string_view text);

// What a rider is told of a delivery they may not see, and of an order id with no delivery:
// the same 404, so that the answer does not tell which order ids exist.
platform::Problem unseen(std::int64_t order_id);

// Where the rider carrying a delivery said they were, and when (epoch ms).
struct ReportedPoint {
  Point at;
  std::int64_t reported_at = 0;
};

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
  std::optional<ReportedPoint> last_reported;  // by the rider carrying it

  // The kitchen is done: OPEN to the riders near the customer.
  static Delivery open(const contracts::CookFinished& cooked, std::int64_t now_ms);

  bool held_by(std::string_view someone) const { return !rider.empty() && rider == someone; }
  // Open, and the customer is within the rider's radius.
  bool offered_to(const RiderPosition& position) const;
  // What a rider may look at and act on: what is offered to them, and what they hold. Of any
  // other delivery they hear what they would of one that does not exist (unseen).
  bool visible_to(std::string_view someone, const std::optional<RiderPosition>& position) const;

  // OPEN → ASSIGNED to the rider. Problem 404 (unseen) unless the rider sees it: one beyond
  // their radius, or held by another rider — as it is for the riders who lose a race to
  // take it; 409 when they hold it already.
  platform::Events assign(const RiderPosition& by);
  // ASSIGNED → PICKED_UP by the rider who holds it. Problem 404 (unseen) unless the rider
  // sees it; 409 when it is still OPEN or already picked up.
  platform::Events pick(const RiderPosition& by);
  // The rider holding it says where they are, while ASSIGNED or PICKED_UP: the customer's
  // view follows by the RiderPositionReported it returns. One event per accepted report, so
  // a report younger than min_interval_ms is refused (Problem 429 with Retry-After) rather
  // than published. Problem 404 (unseen) unless the rider sees it; 403 when they see it but
  // do not hold it (an open offer near them); 409 once delivered.
  platform::Events report_position(std::string_view by, const std::optional<RiderPosition>& their_position, Point at,
                                   std::int64_t now_ms, std::int64_t min_interval_ms);
  // PICKED_UP → DELIVERED, on the customer's DeliveryConfirmed; Problem 409 otherwise.
  platform::Events delivery_confirmed();
};

}  // namespace rider
