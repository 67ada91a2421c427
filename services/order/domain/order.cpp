#include "domain/order.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "contracts/events.hpp"
#include "platform/problem.hpp"

namespace order {

namespace {

using platform::bad_request;

std::int64_t integer_field(const boost::json::object& body, const char* name, const std::string& where) {
  auto* value = body.if_contains(name);
  if (!value) throw bad_request(where + name + " is required");
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) throw bad_request(where + name + " is out of range");
  throw bad_request(where + name + " must be an integer");
}

double number_field(const boost::json::object& body, const char* name) {
  auto* value = body.if_contains(name);
  if (!value) throw bad_request(std::string(name) + " is required");
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  throw bad_request(std::string(name) + " must be a number");
}

void only_fields(const boost::json::object& body, const std::set<std::string_view>& allowed, const std::string& where) {
  for (const auto& field : body)
    if (!allowed.contains(field.key())) throw bad_request(where + "unknown field '" + std::string(field.key()) + "'");
}

}  // namespace

PlaceOrder parse_place_order(const boost::json::object& body) {
  only_fields(body, {"storeId", "items", "address", "lat", "lon"}, "");
  PlaceOrder request;
  request.store_id = integer_field(body, "storeId", "");
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
    only_fields(item.get_object(), {"menuId", "qty"}, where);
    auto menu_id = integer_field(item.get_object(), "menuId", where);
    auto qty = integer_field(item.get_object(), "qty", where);
    if (qty < 1 || qty > kMaxQty) throw bad_request(where + "qty must be between 1 and " + std::to_string(kMaxQty));
    if (!seen.insert(menu_id).second)
      throw bad_request(where + "menuId " + std::to_string(menu_id) + " appears twice; raise its qty instead");
    request.items.emplace_back(menu_id, qty);
  }

  auto* address = body.if_contains("address");
  if (!address || !address->is_string()) throw bad_request("address must be a string");
  request.address = std::string(address->get_string());
  if (request.address.empty() || request.address.size() > kMaxAddress)
    throw bad_request("address must be 1 to " + std::to_string(kMaxAddress) + " bytes long");

  request.lat = number_field(body, "lat");
  request.lon = number_field(body, "lon");
  if (!std::isfinite(request.lat) || request.lat < -90 || request.lat > 90)
    throw bad_request("lat must be between -90 and 90");
  if (!std::isfinite(request.lon) || request.lon < -180 || request.lon > 180)
    throw bad_request("lon must be between -180 and 180");
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
  }
  return "UNKNOWN";
}

Status status_from(std::string_view text) {
  for (int s = static_cast<int>(Status::Placed); s <= static_cast<int>(Status::Canceled); ++s)
    if (text == to_string(static_cast<Status>(s))) return static_cast<Status>(s);
  throw std::invalid_argument("unknown order status " + std::string(text));
}

ReviewRequest parse_review(const boost::json::object& body) {
  only_fields(body, {"orderId", "rating", "content"}, "");
  ReviewRequest request;
  request.order_id = integer_field(body, "orderId", "");
  request.rating = integer_field(body, "rating", "");
  if (request.rating < 1 || request.rating > 5) throw bad_request("rating must be between 1 and 5");
  auto* content = body.if_contains("content");
  if (!content || !content->is_string()) throw bad_request("content must be a string");
  request.content = std::string(content->get_string());
  if (request.content.size() > kMaxReview)
    throw bad_request("content must be at most " + std::to_string(kMaxReview) + " bytes long");
  return request;
}

boost::json::array items_json(const std::vector<LineItem>& items) {
  boost::json::array out;
  for (const auto& item : items)
    out.push_back({{"menuId", item.menu_id}, {"name", item.name}, {"price", item.price}, {"qty", item.qty}});
  return out;
}

std::vector<LineItem> items_from_json(const boost::json::array& items) {
  std::vector<LineItem> out;
  for (const auto& value : items) {
    const auto& item = value.as_object();
    out.push_back({item.at("menuId").as_int64(), std::string(item.at("name").as_string()), item.at("price").as_int64(),
                   item.at("qty").as_int64()});
  }
  return out;
}

std::pair<Order, std::vector<platform::Event>> Order::place(
    std::int64_t id, std::string customer, const PlaceOrder& request, const std::string& store_name,
    const std::function<std::optional<MenuItem>(std::int64_t)>& menu, std::int64_t now_ms) {
  if (store_name.empty()) throw bad_request("storeId " + std::to_string(request.store_id) + " is not a known store");
  Order order;
  order.id = id;
  order.customer = std::move(customer);
  order.store_id = request.store_id;
  order.store_name = store_name;
  order.address = request.address;
  order.lat = request.lat;
  order.lon = request.lon;
  order.placed_at = now_ms;
  for (const auto& [menu_id, qty] : request.items) {
    auto item = menu(menu_id);
    if (!item || item->store_id != request.store_id)
      throw bad_request("menuId " + std::to_string(menu_id) + " is not on the menu of store " +
                        std::to_string(request.store_id));
    order.items.push_back({menu_id, item->name, item->price, qty});
    order.total_price += item->price * qty;
  }
  platform::Event placed{contracts::event::OrderPlaced, order.snapshot()};
  return {std::move(order), {std::move(placed)}};
}

boost::json::object Order::snapshot() const {
  return {{"orderId", id},
          {"customerId", customer},
          {"storeId", store_id},
          {"storeName", store_name},
          {"items", items_json(items)},
          {"totalPrice", total_price},
          {"address", address},
          {"lat", lat},
          {"lon", lon},
          {"status", to_string(status)}};
}

std::vector<std::string> Order::allowed_commands() const {
  switch (status) {
    case Status::Placed:
    case Status::Paid:
    case Status::Accepted: return {"cancel"};
    case Status::PickedUp: return {"deliveryconfirm"};
    case Status::Delivered: return {"review"};
    default: return {};
  }
}

platform::Event Order::event(const char* type) const {
  return {type, {{"orderId", id}, {"customerId", customer}, {"storeId", store_id}, {"status", to_string(status)}}};
}

namespace {
// Where a status stands in the lifecycle; the final ones past every other.
int rank(Status status) {
  switch (status) {
    case Status::Placed: return 0;
    case Status::Paid: return 1;
    case Status::Accepted: return 2;
    case Status::Cooking: return 3;
    case Status::Cooked: return 4;
    case Status::RiderAssigned: return 5;
    case Status::PickedUp: return 6;
    case Status::Delivered: return 7;
    case Status::PaymentFailed:
    case Status::Rejected:
    case Status::Canceled: break;
  }
  return 8;
}
}  // namespace

std::vector<platform::Event> Order::move(Status from, Status to, const char* event_type) {
  if (status != from && rank(status) < rank(from))
    throw TooEarly("order " + std::to_string(id) + " is " + to_string(status) + ", not yet " + to_string(from));
  if (status != from)
    throw platform::conflict("order " + std::to_string(id) + " is " + to_string(status) + ", not " + to_string(from));
  status = to;
  if (!event_type) return {};
  return {event(event_type)};
}

std::vector<platform::Event> Order::payment_approved() { return move(Status::Placed, Status::Paid); }
std::vector<platform::Event> Order::payment_failed() { return move(Status::Placed, Status::PaymentFailed); }
std::vector<platform::Event> Order::accepted() { return move(Status::Paid, Status::Accepted); }
std::vector<platform::Event> Order::rejected() { return move(Status::Paid, Status::Rejected); }
std::vector<platform::Event> Order::cook_started() { return move(Status::Accepted, Status::Cooking); }
std::vector<platform::Event> Order::cook_finished() { return move(Status::Cooking, Status::Cooked); }
std::vector<platform::Event> Order::picked_up() { return move(Status::RiderAssigned, Status::PickedUp); }

std::vector<platform::Event> Order::rider_assigned(const std::string& rider_id) {
  auto events = move(Status::Cooked, Status::RiderAssigned);
  rider = rider_id;
  return events;
}

void Order::check_cancelable() const {
  switch (status) {
    case Status::Placed:
    case Status::Paid:
    case Status::Accepted: return;
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

std::vector<platform::Event> Order::cancel(bool refunded) {
  check_cancelable();
  status = Status::Canceled;
  auto canceled = event(contracts::event::OrderCanceled);
  canceled.body["refunded"] = refunded;
  return {std::move(canceled)};
}

std::vector<platform::Event> Order::confirm_delivery() {
  if (status != Status::PickedUp)
    throw platform::conflict("order " + std::to_string(id) + " is " + to_string(status) +
                             "; delivery can be confirmed once the rider has picked it up");
  status = Status::Delivered;
  auto confirmed = event(contracts::event::DeliveryConfirmed);
  if (!rider.empty()) confirmed.body["riderId"] = rider;
  return {std::move(confirmed)};
}

std::vector<platform::Event> Order::review(std::int64_t review_id, const ReviewRequest& request) const {
  if (status != Status::Delivered)
    throw platform::conflict("order " + std::to_string(id) + " is " + to_string(status) +
                             "; it can be reviewed once delivered");
  auto reviewed = event(contracts::event::OrderReviewed);
  reviewed.body["reviewId"] = review_id;
  reviewed.body["rating"] = request.rating;
  reviewed.body["content"] = request.content;
  return {std::move(reviewed)};
}

}  // namespace order
