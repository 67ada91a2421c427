#pragma once
// The status words every service and the read model agree on, and the one ranking of the
// order's lifecycle that decides whether a report is stale, repeated or too early.
#include <iterator>
#include <string_view>

namespace contracts {

namespace order_status {
inline constexpr const char* Placed = "PLACED";
inline constexpr const char* Paid = "PAID";
inline constexpr const char* PaymentFailed = "PAYMENT_FAILED";
inline constexpr const char* Accepted = "ACCEPTED";
inline constexpr const char* Rejected = "REJECTED";
inline constexpr const char* Cooking = "COOKING";
inline constexpr const char* Cooked = "COOKED";
inline constexpr const char* RiderAssigned = "RIDER_ASSIGNED";
inline constexpr const char* PickedUp = "PICKED_UP";
inline constexpr const char* Delivered = "DELIVERED";
inline constexpr const char* Canceled = "CANCELED";

// Where a status stands in the lifecycle: PLACED 0 ... DELIVERED 7; the other final ones
// (PAYMENT_FAILED, REJECTED, CANCELED) and unknown words past every other (8).
constexpr int rank(std::string_view status) {
  constexpr std::string_view lifecycle[] = {Placed, Paid, Accepted, Cooking, Cooked, RiderAssigned, PickedUp, Delivered};
  for (int i = 0; i < static_cast<int>(std::size(lifecycle)); ++i)
    if (status == lifecycle[i]) return i;
  return static_cast<int>(std::size(lifecycle));
}

// No step can follow.
constexpr bool is_final(std::string_view status) {
  return status == PaymentFailed || status == Rejected || status == Canceled || status == Delivered;
}
}  // namespace order_status

namespace payment_status {
inline constexpr const char* Approved = "APPROVED";
inline constexpr const char* Failed = "FAILED";
inline constexpr const char* Canceled = "CANCELED";
inline constexpr const char* Settled = "SETTLED";
}  // namespace payment_status

namespace cooking_status {
inline constexpr const char* Requested = "REQUESTED";
inline constexpr const char* Accepted = "ACCEPTED";
inline constexpr const char* Rejected = "REJECTED";
inline constexpr const char* Cooking = "COOKING";
inline constexpr const char* Cooked = "COOKED";
inline constexpr const char* Canceled = "CANCELED";
}  // namespace cooking_status

namespace delivery_status {
inline constexpr const char* Open = "OPEN";
inline constexpr const char* Assigned = "ASSIGNED";
inline constexpr const char* PickedUp = "PICKED_UP";
inline constexpr const char* Delivered = "DELIVERED";
}  // namespace delivery_status

}  // namespace contracts
