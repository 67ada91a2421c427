#pragma once
// The published contract between services: one type per event on the bus. Each names
//   type       the NATS header `type` and the subject suffix;
//   producer   the one service that publishes it;
//   consumers  the services that react to it ("*": every service);
//   status     the word its aggregate moves to, written into the body as `status`
//              (empty: the event carries none);
// and its fields, which are the flat JSON body's keys as the seeds spell them. Bodies also
// carry `eventType` and `timestamp` (epoch ms), added when the event is appended.
// contracts/include/contracts/codec.hpp maps these types to and from their bodies; the
// README's event table and web/src/saga.ts are held to this file by a test.
#include <algorithm>
#include <array>
#include <boost/describe/class.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/status.hpp"
#include "contracts/store_terms.hpp"

namespace contracts {

struct LineItem {
  std::int64_t menuId = 0;
  std::string name;
  std::int64_t price = 0;  // KRW, from the store's menu when the order was placed
  std::int64_t qty = 0;
};
BOOST_DESCRIBE_STRUCT(LineItem, (), (menuId, name, price, qty))

struct MenuEntry {
  std::int64_t menuId = 0;
  std::string name;
  std::int64_t price = 0;
};
BOOST_DESCRIBE_STRUCT(MenuEntry, (), (menuId, name, price))

// A store and its whole menu; the order service keeps a replica to price orders, and auth
// the stores that exist, for the owner accounts it makes.
struct StoreOpened {
  static constexpr std::string_view type = "StoreOpened", producer = "store", consumers = "order", status = "";
  std::int64_t storeId = 0;
  std::string name;
  std::string category;
  std::string address;
  double lat = 0;
  double lon = 0;
  std::vector<MenuEntry> menu;
};
BOOST_DESCRIBE_STRUCT(StoreOpened, (), (storeId, name, category, address, lat, lon, menu))

// --- Owners run their store (issue 16) ---
struct MenuItemState {
  std::int64_t menuId = 0;
  std::string name;
  std::int64_t price = 0;  // KRW
  std::string description;
  std::string category;
  bool soldOut = false;
};
BOOST_DESCRIBE_STRUCT(MenuItemState, (), (menuId, name, price, description, category, soldOut))

// A store created by an admin or changed by its owner, whole as it is after the change, so
// that the order service's replica takes the highest revision it has seen and ignores any
// other: a change delivered twice, or after a later one, changes nothing.
struct StoreChanged {
  static constexpr std::string_view type = "StoreChanged", producer = "store", consumers = "order", status = "";
  std::int64_t storeId = 0;
  std::int64_t revision = 0;  // 1 when created, one more at each change
  std::string change;         // what changed, in words
  std::string name;
  std::string category;
  std::string address;
  double lat = 0;
  double lon = 0;
  std::vector<MenuItemState> menu;
  bool open = false;  // the owner's toggle; open now also needs openingHours to hold the time
  std::vector<OpeningHours> openingHours;  // none: all week
  std::int64_t minimumOrder = 0;           // KRW, of the items
  std::vector<FeeBand> deliveryFees;       // none: free delivery at any distance
};
BOOST_DESCRIBE_STRUCT(StoreChanged, (),
                      (storeId, revision, change, name, category, address, lat, lon, menu, open, openingHours,
                       minimumOrder, deliveryFees))
// --- end: owners run their store ---

struct OrderPlaced {
  static constexpr std::string_view type = "OrderPlaced", producer = "order", consumers = "payment store customer",
                                    status = order_status::Placed;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  std::string storeName;
  std::vector<LineItem> items;
  std::int64_t totalPrice = 0;
  std::string address;
  double lat = 0;  // the customer's
  double lon = 0;
};
BOOST_DESCRIBE_STRUCT(OrderPlaced, (), (orderId, customerId, storeId, storeName, items, totalPrice, address, lat, lon))

struct PaymentApproved {
  static constexpr std::string_view type = "PaymentApproved", producer = "payment", consumers = "order store customer",
                                    status = payment_status::Approved;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(PaymentApproved, (), (orderId, customerId, amount))

struct PaymentFailed {
  static constexpr std::string_view type = "PaymentFailed", producer = "payment", consumers = "order store customer",
                                    status = payment_status::Failed;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t amount = 0;
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(PaymentFailed, (), (orderId, customerId, amount, reason))

// The refund (a compensation), or an order canceled before it was charged (amount 0).
struct PaymentCanceled {
  static constexpr std::string_view type = "PaymentCanceled", producer = "payment", consumers = "customer",
                                    status = payment_status::Canceled;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(PaymentCanceled, (), (orderId, customerId, amount))

struct PaymentSettled {
  static constexpr std::string_view type = "PaymentSettled", producer = "payment", consumers = "customer",
                                    status = payment_status::Settled;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(PaymentSettled, (), (orderId, customerId, amount))

// The cooking time an owner gives on accept, and the one assumed when none was given.
inline constexpr std::int64_t kMinCookingMinutes = 10, kMaxCookingMinutes = 60, kDefaultCookingMinutes = 20;

struct OrderAccepted {
  static constexpr std::string_view type = "OrderAccepted", producer = "store", consumers = "order customer",
                                    status = cooking_status::Accepted;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  std::optional<std::int64_t> cookingMinutes;  // the owner's estimate; absent in events from before it was asked
};
BOOST_DESCRIBE_STRUCT(OrderAccepted, (), (orderId, customerId, storeId, cookingMinutes))

struct OrderRejected {
  static constexpr std::string_view type = "OrderRejected", producer = "store", consumers = "order payment customer",
                                    status = cooking_status::Rejected;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(OrderRejected, (), (orderId, customerId, storeId, reason))

struct CookStarted {
  static constexpr std::string_view type = "CookStarted", producer = "store", consumers = "order customer",
                                    status = cooking_status::Cooking;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
};
BOOST_DESCRIBE_STRUCT(CookStarted, (), (orderId, customerId, storeId))

// Tells the riders where to pick up and where to deliver.
struct CookFinished {
  static constexpr std::string_view type = "CookFinished", producer = "store", consumers = "order rider customer",
                                    status = cooking_status::Cooked;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  std::string storeName;
  double storeLat = 0;
  double storeLon = 0;
  std::string address;  // the customer's
  double lat = 0;
  double lon = 0;
};
BOOST_DESCRIBE_STRUCT(CookFinished, (), (orderId, customerId, storeId, storeName, storeLat, storeLon, address, lat, lon))

struct OrderCanceled {
  static constexpr std::string_view type = "OrderCanceled", producer = "order", consumers = "payment store customer",
                                    status = order_status::Canceled;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  bool refunded = false;  // payment already refunded it synchronously
};
BOOST_DESCRIBE_STRUCT(OrderCanceled, (), (orderId, customerId, storeId, refunded))

struct DeliveryAssigned {
  static constexpr std::string_view type = "DeliveryAssigned", producer = "rider", consumers = "order customer",
                                    status = delivery_status::Assigned;
  std::int64_t orderId = 0;
  std::string customerId;
  std::string riderId;
  std::int64_t storeId = 0;
};
BOOST_DESCRIBE_STRUCT(DeliveryAssigned, (), (orderId, customerId, riderId, storeId))

struct Picked {
  static constexpr std::string_view type = "Picked", producer = "rider", consumers = "order customer",
                                    status = delivery_status::PickedUp;
  std::int64_t orderId = 0;
  std::string customerId;
  std::string riderId;
};
BOOST_DESCRIBE_STRUCT(Picked, (), (orderId, customerId, riderId))

// Where the rider carrying the order is, as they reported it (at most one report every few
// seconds per delivery): the customer's status view shows it while the order is on its way.
// Not a step of the order's life: it moves no status and adds no timeline step.
struct RiderPositionReported {
  static constexpr std::string_view type = "RiderPositionReported", producer = "rider", consumers = "customer",
                                    status = "";
  std::int64_t orderId = 0;
  std::string customerId;
  std::string riderId;
  double lat = 0;
  double lon = 0;
};
BOOST_DESCRIBE_STRUCT(RiderPositionReported, (), (orderId, customerId, riderId, lat, lon))

struct DeliveryConfirmed {
  static constexpr std::string_view type = "DeliveryConfirmed", producer = "order",
                                    consumers = "payment rider customer", status = order_status::Delivered;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  std::optional<std::string> riderId;  // absent when no rider was ever recorded
};
BOOST_DESCRIBE_STRUCT(DeliveryConfirmed, (), (orderId, customerId, storeId, riderId))

struct OrderReviewed {
  static constexpr std::string_view type = "OrderReviewed", producer = "order", consumers = "store",
                                    status = order_status::Delivered;
  std::int64_t orderId = 0;
  std::string customerId;
  std::int64_t storeId = 0;
  std::int64_t reviewId = 0;
  std::int64_t rating = 0;  // 1..5
  std::string content;
};
BOOST_DESCRIBE_STRUCT(OrderReviewed, (), (orderId, customerId, storeId, reviewId, rating, content))

// Tokens every service refuses from then on: the token tokenId (its jti), and every access
// token of the login sessionId (their sid): a logout, a logout everywhere (one event per
// login), a spent refresh token used again, or an account an operator disabled (one event
// per login). Events from before logins had ids carry only tokenId.
struct TokenRevoked {
  static constexpr std::string_view type = "TokenRevoked", producer = "auth", consumers = "*", status = "";
  std::optional<std::string> tokenId;
  std::int64_t expiresAt = 0;  // epoch s: no token revoked here lives longer
  std::string username;
  std::optional<std::string> sessionId;
};
BOOST_DESCRIBE_STRUCT(TokenRevoked, (), (tokenId, expiresAt, username, sessionId))

}  // namespace contracts

namespace contracts {

// Every event of the contract, for code that walks them all (the catalogue test, tools).
template <class... Events>
struct EventList {};
using AllEvents = EventList<StoreOpened, StoreChanged, OrderPlaced, PaymentApproved, PaymentFailed, PaymentCanceled, PaymentSettled,
                            OrderAccepted, OrderRejected, CookStarted, CookFinished, OrderCanceled, DeliveryAssigned,
                            Picked, RiderPositionReported, DeliveryConfirmed, OrderReviewed, TokenRevoked>;

struct EventInfo {
  std::string_view type, producer, consumers, status;
};
template <class... Events>
constexpr auto catalogue(EventList<Events...>) {
  return std::array<EventInfo, sizeof...(Events)>{EventInfo{Events::type, Events::producer, Events::consumers, Events::status}...};
}
// {type, producer, consumers, status} of every event, in the saga's order.
inline constexpr auto kCatalogue = catalogue(AllEvents{});
// The services, each of which consumes the stream under its own name.
inline constexpr std::array<std::string_view, 6> kServices{"auth", "order", "payment", "store", "customer", "rider"};

// Whether `service` reacts to the event: named among its consumers, or they are "*".
constexpr bool consumed_by(const EventInfo& event, std::string_view service) {
  if (event.consumers == "*") return true;
  for (std::size_t at = 0; at < event.consumers.size();) {
    auto end = std::min(event.consumers.find(' ', at), event.consumers.size());
    if (event.consumers.substr(at, end - at) == service) return true;
    at = end + 1;
  }
  return false;
}

}  // namespace contracts

// The event names as plain words, for code that does not handle the typed events.
namespace contracts::event {
inline constexpr const char* StoreOpened = "StoreOpened";
inline constexpr const char* StoreChanged = "StoreChanged";
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
inline constexpr const char* RiderPositionReported = "RiderPositionReported";
inline constexpr const char* DeliveryConfirmed = "DeliveryConfirmed";
inline constexpr const char* OrderReviewed = "OrderReviewed";
inline constexpr const char* TokenRevoked = "TokenRevoked";
}  // namespace contracts::event
