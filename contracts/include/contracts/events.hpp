#pragma once
// The published contract between services: event names (the NATS header `type` and the
// subject suffix) and the status words every service and the read model agree on.
//
// Every order event's body carries orderId (the correlation key) and customerId, plus:
//   OrderPlaced       storeId, storeName, items[{menuId,name,price,qty}], totalPrice, address, lat, lon
//   PaymentApproved   amount                 PaymentFailed     amount, reason
//   PaymentCanceled   amount (the refund)    PaymentSettled    amount
//   OrderAccepted     storeId                OrderRejected     storeId, reason
//   CookStarted       storeId                CookFinished      storeId, storeName, storeLat, storeLon,
//                                                               address, lat, lon (the customer's)
//   OrderCanceled     storeId, refunded (true when payment already refunded it synchronously)
//   DeliveryAssigned  riderId                Picked            riderId
//   DeliveryConfirmed riderId (when known)   OrderReviewed     storeId, reviewId, rating, content
// and `status`, the word below that the event moves its aggregate to.
namespace contracts {

namespace event {
inline constexpr const char* StoreOpened = "StoreOpened";  // a store and its whole menu (no orderId)
inline constexpr const char* OrderPlaced = "OrderPlaced";
inline constexpr const char* PaymentApproved = "PaymentApproved";
inline constexpr const char* PaymentFailed = "PaymentFailed";
inline constexpr const char* PaymentCanceled = "PaymentCanceled";
inline constexpr const char* PaymentSettled = "PaymentSettled";
inline constexpr const char* OrderAccepted = "OrderAccepted";
inline constexpr const char* OrderRejected = "OrderRejected";
inline constexpr const char* CookStarted = "CookStarted";
inline constexpr const char* CookFinished = "CookFinished";
inline constexpr const char* OrderCanceled = "OrderCanceled";
inline constexpr const char* DeliveryAssigned = "DeliveryAssigned";
inline constexpr const char* Picked = "Picked";
inline constexpr const char* DeliveryConfirmed = "DeliveryConfirmed";
inline constexpr const char* OrderReviewed = "OrderReviewed";
inline constexpr const char* TokenRevoked = "TokenRevoked";  // tokenId, expiresAt (epoch s), username; no orderId
}  // namespace event

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
