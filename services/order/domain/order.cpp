#include "domain/order.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <set>
#include <stdexcept>

#include "contracts/events.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace order {

namespace {

using platform::bad_request;
namespace fields = platform::fields;

}  // namespace

PlaceOrder parse_place_order(const boost::json::object& body) {
  fields::only(body, {"storeId", "items", "address", "lat", "lon"});
  PlaceOrder request;
  request.store_id = fields::integer(body, "storeId");
  if (request.store_id <= 0) throw bad_request("storeId must be a positive integer");

  auto* items = body.if_contains("items");
  if (!items || !items->is_array() || items->get_array().empty())
    throw bad_request("items must be a non-empty array of {menuId, qty}");
  if (items->get_array().size() > kMaxLines)
    throw bad_request("an order holds at most " + std::to_string(kMaxLines) + " lines");
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < items->get_array().size(); ++i) {
    const auto& item = items->get_array()[i];
    auto where = "items[" + std::to_string(i) + "].";
    if (!item.is_object()) throw bad_request("items[" + std::to_string(i) + "] must be an object {menuId, qty}");
    fields::only(item.get_object(), {"menuId", "qty"}, where);
    auto menu_id = fields::integer(item.get_object(), "menuId", where);
    auto qty = fields::integer(item.get_object(), "qty", where);
    if (qty < 1 || qty > kMaxQty) throw bad_request(where + "qty must be between 1 and " + std::to_string(kMaxQty));
    if (!seen.insert(menu_id).second)
      throw bad_request(where + "menuId " + std::to_string(menu_id) + " appears twice; raise its qty instead");
    request.items.emplace_back(menu_id, qty);
  }

  request.address = fields::text(body, "address", kMaxAddress);
  request.lat = fields::number(body, "lat");
  request.lon = fields::number(body, "lon");
  if (request.lat < -90 || request.lat > 90) throw bad_request("lat must be between -90 and 90");
  if (request.lon < -180 || request.lon > 180) throw bad_request("lon must be between -180 and 180");
  return request;
}

const char* to_string(Status status) {
  using namespace contracts::order_status;
  switch (status) {
    case Status::Placed: return Placed;
    case Status::Paid: return Paid;
    case Status::PaymentFailed: return PaymentFailed;
    case Status::Accepted: return Accepted;
    case Status::Rejected: return Rejected;
    case Status::Cooking: return Cooking;
    case Status::Cooked: return Cooked;
    case Status::RiderAssigned: return RiderAssigned;
    case Status::PickedUp: return PickedUp;
    case Status::Delivered: return Delivered;
    case Status::Canceled: return Canceled;
    case Status::CancelPending: return "CANCEL_PENDING";
  }
  return "UNKNOWN";
}

Status status_from(std::string_view text) {
  for (int s = static_cast<int>(Status::Placed); s <= static_cast<int>(Status::CancelPending); ++s)
    if (text == to_string(static_cast<Status>(s))) return static_cast<Status>(s);
  throw std::invalid_argument("unknown order status " + std::string(text));
}

ReviewRequest parse_review(const boost::json::object& body) {
  fields::only(body, {"orderId", "rating", "content"});
  ReviewRequest request;
  request.order_id = fields::integer(body, "orderId");
  request.rating = fields::integer(body, "rating");
  if (request.rating < 1 || request.rating > 5) throw bad_request("rating must be between 1 and 5");
  request.content = fields::prose(body, "content", kMaxReview, 0);
  return request;
}

std::pair<Order, platform::Events> Order::place(std::int64_t id, std::string customer, const PlaceOrder& request,
                                                const std::optional<CatalogStore>& store,
                                                const std::function<std::optional<MenuItem>(std::int64_t)>& menu,
                                                std::int64_t now_ms) {
  namespace terms = contracts::store_terms;
  if (!store) throw bad_request("storeId " + std::to_string(request.store_id) + " is not a known store");
  if (!store->open || !terms::open_at(store->opening_hours, now_ms)) {
    auto opens = store->open ? terms::next_opening(store->opening_hours, now_ms) : std::nullopt;
    throw platform::conflict("store " + std::to_string(store->store_id) + " (" + store->name + ") is closed; " +
                             (opens ? "it opens at " + terms::seoul_time(*opens) + " (Asia/Seoul)"
                                    : std::string("it opens when its owner opens it")));
  }
  Order order;
  order.id = id;
  order.customer = std::move(customer);
  order.store_id = request.store_id;
  order.store_name = store->name;
  order.address = request.address;
  order.lat = request.lat;
  order.lon = request.lon;
  order.placed_at = now_ms;
  for (const auto& [menu_id, qty] : request.items) {
    auto item = menu(menu_id);
    if (!item || item->store_id != request.store_id)
      throw bad_request("menuId " + std::to_string(menu_id) + " is not on the menu of store " +
                        std::to_string(request.store_id));
    if (item->sold_out)
      throw platform::conflict("menuId " + std::to_string(menu_id) + " (" + item->name + ") is sold out");
    order.items.push_back({menu_id, item->name, item->price, qty});
    order.total_price += item->price * qty;
  }
  if (order.total_price < store->minimum_order)
    throw platform::conflict("the items come to " + std::to_string(order.total_price) + " KRW; store " +
                             std::to_string(store->store_id) + " takes orders from " +
                             std::to_string(store->minimum_order) + " KRW");
  auto meters = terms::distance_m(store->lat, store->lon, order.lat, order.lon);
  auto fee = terms::delivery_fee(store->delivery_fees, meters);
  if (!fee)
    throw platform::conflict("the address is " + std::to_string(std::llround(meters)) + " m from store " +
                             std::to_string(store->store_id) + ", which delivers up to " +
                             std::to_string(store->delivery_fees.back().upToMeters) + " m");
  order.delivery_fee = *fee;
  order.total_price += *fee;
  auto placed =
      platform::events(contracts::OrderPlaced{order.id, order.customer, order.store_id, order.store_name, order.items,
                                              order.total_price, order.address, order.lat, order.lon});
  return {std::move(order), std::move(placed)};
}

Status Order::public_status() const {
  return status == Status::CancelPending && status_before_cancel ? *status_before_cancel : status;
}

std::vector<std::string> Order::allowed_commands() const {
  switch (public_status()) {
    case Status::Placed:
    case Status::Paid:
    case Status::Accepted: return {"cancel"};
    case Status::PickedUp: return {"deliveryconfirm"};
    case Status::Delivered: return {"review"};
    default: return {};
  }
}

namespace {
int rank(Status status) { return contracts::order_status::rank(to_string(status)); }
}  // namespace

void Order::advance(Status from, Status to) {
  // As FTGO's Order refuses every transition in CANCEL_PENDING: the report is retried until
  // the cancel is decided, and is then stale (canceled) or applies (undone).
  if (status == Status::CancelPending)
    throw platform::TooEarly("order " + std::to_string(id) + " has a cancel pending; the step to " + to_string(to) +
                             " waits for its outcome");
  if (status != from && rank(status) < rank(from))
    throw platform::TooEarly("order " + std::to_string(id) + " is " + to_string(status) + ", not yet " +
                             to_string(from));
  if (status != from)
    throw platform::conflict("order " + std::to_string(id) + " is " + to_string(status) + ", not " + to_string(from));
  status = to;
}

platform::Events Order::payment_approved() {
  advance(Status::Placed, Status::Paid);
  return {};
}
platform::Events Order::payment_failed() {
  advance(Status::Placed, Status::PaymentFailed);
  return {};
}
platform::Events Order::accepted() {
  advance(Status::Paid, Status::Accepted);
  return {};
}
platform::Events Order::rejected() {
  advance(Status::Paid, Status::Rejected);
  return {};
}
platform::Events Order::cook_started() {
  advance(Status::Accepted, Status::Cooking);
  return {};
}
platform::Events Order::cook_finished() {
  advance(Status::Cooking, Status::Cooked);
  return {};
}
platform::Events Order::rider_assigned(const std::string& rider_id) {
  advance(Status::Cooked, Status::RiderAssigned);
  rider = rider_id;
  return {};
}
platform::Events Order::picked_up() {
  advance(Status::RiderAssigned, Status::PickedUp);
  return {};
}

// R6: a customer may cancel until cooking starts, i.e. while PLACED, PAID or ACCEPTED.
void Order::check_cancelable() const {
  switch (status) {
    case Status::Placed:
    case Status::Paid:
    case Status::Accepted:
    case Status::CancelPending: return;
    case Status::Cooking:
    case Status::Cooked:
    case Status::RiderAssigned:
    case Status::PickedUp:
    case Status::Delivered:
      throw platform::conflict("order " + std::to_string(id) + " cannot be canceled: cooking has already started (" +
                               to_string(status) + ")");
    case Status::PaymentFailed:
    case Status::Rejected:
    case Status::Canceled: break;
  }
  throw platform::conflict("order " + std::to_string(id) + " is already " + to_string(status));
}

platform::Events Order::begin_cancel(std::int64_t now_ms) {
  check_cancelable();
  if (status == Status::CancelPending) return {};  // asked again: the pending cancel goes on
  status_before_cancel = status;
  cancel_requested_at = now_ms;
  status = Status::CancelPending;
  return {};
}

platform::Events Order::undo_pending_cancel() {
  if (status != Status::CancelPending) return {};
  status = public_status();
  status_before_cancel.reset();
  cancel_requested_at = 0;
  return {};
}

platform::Events Order::note_canceled(bool refunded) {
  check_cancelable();
  if (status != Status::CancelPending)
    throw platform::conflict("order " + std::to_string(id) + " has no cancel pending");
  status = Status::Canceled;
  status_before_cancel.reset();
  cancel_requested_at = 0;
  return platform::events(contracts::OrderCanceled{id, customer, store_id, refunded});
}

platform::Events Order::confirm_delivery() {
  if (status != Status::PickedUp)
    throw platform::conflict("order " + std::to_string(id) + " is " + to_string(public_status()) +
                             "; delivery can be confirmed once the rider has picked it up");
  status = Status::Delivered;
  return platform::events(contracts::DeliveryConfirmed{
      id, customer, store_id, rider.empty() ? std::nullopt : std::optional<std::string>(rider)});
}

std::pair<Review, platform::Events> Order::review(std::int64_t review_id, const ReviewRequest& request,
                                                  std::int64_t now_ms) const {
  if (status != Status::Delivered)
    throw platform::conflict("order " + std::to_string(id) + " is " + to_string(public_status()) +
                             "; it can be reviewed once delivered");
  Review review{review_id, id, store_id, customer, request.rating, request.content, now_ms};
  return {review, platform::events(
                      contracts::OrderReviewed{id, customer, store_id, review_id, request.rating, request.content})};
}

}  // namespace order
