#pragma once
// The published contract between services: event names (the NATS header `type` and the
// subject suffix) and the status words every service and the read model agree on.
namespace contracts {

namespace event {
inline constexpr const char* StoreOpened = "StoreOpened";  // a store and its whole menu
inline constexpr const char* OrderPlaced = "OrderPlaced";
inline constexpr const char* PaymentApproved = "PaymentApproved";
inline constexpr const char* PaymentFailed = "PaymentFailed";
}  // namespace event

namespace order_status {
inline constexpr const char* Placed = "PLACED";
inline constexpr const char* Paid = "PAID";
inline constexpr const char* PaymentFailed = "PAYMENT_FAILED";
}  // namespace order_status

namespace payment_status {
inline constexpr const char* Approved = "APPROVED";
inline constexpr const char* Failed = "FAILED";
}  // namespace payment_status

namespace cooking_status {
inline constexpr const char* Requested = "REQUESTED";
}  // namespace cooking_status

}  // namespace contracts
