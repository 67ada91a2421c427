#pragma once
// The Order aggregate: placing it prices the lines from the store's menu (never from the
// client), and each transition returns the events it causes. No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "contracts/events.hpp"
#include "platform/event.hpp"

namespace order {

struct MenuItem {
  std::int64_t menu_id = 0;
  std::int64_t store_id = 0;
  std::string name;
  std::int64_t price = 0;  // KRW
  bool sold_out = false;
};

// A store as the catalog replica knows it from StoreOpened and StoreChanged: what placing
// an order needs. A demo store never changed is open all week with free delivery.
struct CatalogStore {
  std::int64_t store_id = 0;
  std::string name;
  double lat = 0;
  double lon = 0;
  bool open = true;                                    // the owner's toggle
  std::vector<contracts::OpeningHours> opening_hours;  // none: all week (Asia/Seoul)
  std::int64_t minimum_order = 0;                      // KRW, of the items
  std::vector<contracts::FeeBand> delivery_fees;       // none: free delivery
  std::int64_t revision = 0;                           // of the last StoreChanged applied
};

// A line as OrderPlaced carries it: priced when the order was placed.
using LineItem = contracts::LineItem;

// A customer's order request, validated for shape and ranges.
struct PlaceOrder {
  std::int64_t store_id = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> items;  // menuId, qty
  std::string address;
  double lat = 0;
  double lon = 0;
};

inline constexpr std::int64_t kMaxQty = 99;
inline constexpr std::size_t kMaxLines = 30;
inline constexpr std::size_t kMaxAddress = 200;

// Throws platform::Problem 400 naming the offending field.
PlaceOrder parse_place_order(const boost::json::object& body);

enum class Status {
  Placed,
  Paid,
  PaymentFailed,
  Accepted,
  Rejected,
  Cooking,
  Cooked,
  RiderAssigned,
  PickedUp,
  Delivered,
  Canceled,
  // The customer asked to cancel and the store's answer is not known yet. Only this service
  // knows the word: everyone else still sees the status it came from.
  CancelPending
};
const char* to_string(Status status);
Status status_from(std::string_view text);

// A customer's review of a delivered order.
struct ReviewRequest {
  std::int64_t order_id = 0;
  std::int64_t rating = 0;  // 1..5
  std::string content;
};
inline constexpr std::size_t kMaxReview = 1000;
// Throws platform::Problem 400 naming the offending field.
ReviewRequest parse_review(const boost::json::object& body);

struct Review {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t store_id = 0;
  std::string customer;
  std::int64_t rating = 0;
  std::string content;
  std::int64_t created_at = 0;  // epoch ms
};

struct Order {
  std::int64_t id = 0;
  std::string customer;
  std::int64_t store_id = 0;
  std::string store_name;
  std::vector<LineItem> items;
  std::int64_t total_price = 0;  // the items and the delivery fee
  std::int64_t delivery_fee = 0;
  std::string address;
  double lat = 0;
  double lon = 0;
  Status status = Status::Placed;
  std::int64_t placed_at = 0;  // epoch ms
  std::string rider;           // once a rider took the delivery
  // While CancelPending: the status the cancel came from, and when it began (epoch ms).
  std::optional<Status> status_before_cancel;
  std::int64_t cancel_requested_at = 0;

  // Prices each line from the menu and adds the store's delivery fee for the distance from
  // the store to the order's lat/lon. Problem 400 for an unknown store or a menu item that
  // the store does not sell (or no longer does); 409 for a sold-out item, a store closed at
  // now_ms (saying when it opens), items below the store's minimum order, or an address
  // beyond its farthest fee band. Each names what it refuses.
  static std::pair<Order, platform::Events> place(std::int64_t id, std::string customer, const PlaceOrder& request,
                                                  const std::optional<CatalogStore>& store,
                                                  const std::function<std::optional<MenuItem>(std::int64_t)>& menu,
                                                  std::int64_t now_ms);

  // What other services report. Each throws Problem 409 when the order is past the state the
  // report follows from (a stale or repeated event), platform::TooEarly when it has not
  // reached it yet or a cancel is pending (the report waits for the cancel's outcome), and
  // changes nothing then.
  platform::Events payment_approved();
  platform::Events payment_failed();
  platform::Events accepted();
  platform::Events rejected();
  platform::Events cook_started();
  platform::Events cook_finished();
  platform::Events rider_assigned(const std::string& rider_id);
  platform::Events picked_up();

  // The status shown outside this service: while a cancel is pending, the one it came from.
  Status public_status() const;
  // The customer's commands the shown state allows: cancel, deliveryconfirm, review.
  std::vector<std::string> allowed_commands() const;

  // The cancel's local steps (the saga is in cancel_order.hpp). begin_cancel records the
  // intent (CancelPending), or keeps the one already pending; Problem 409 with the reason
  // once cooking has started or the order is final.
  platform::Events begin_cancel(std::int64_t now_ms);
  // The store refused: back to the status the cancel came from. Nothing when none is pending.
  platform::Events undo_pending_cancel();
  // The store agreed: CANCELED, telling payment whether it has refunded already.
  platform::Events note_canceled(bool refunded);

  platform::Events confirm_delivery();
  // Problem 409 unless delivered; the adapter makes it once per order.
  std::pair<Review, platform::Events> review(std::int64_t review_id, const ReviewRequest& request,
                                             std::int64_t now_ms) const;

 private:
  void advance(Status from, Status to);
  void check_cancelable() const;
};

}  // namespace order
