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
  switch (status) {
    case Status::Placed: return contracts::order_status::Placed;
    case Status::Paid: return contracts::order_status::Paid;
    case Status::PaymentFailed: return contracts::order_status::PaymentFailed;
  }
  return "UNKNOWN";
}

Status status_from(std::string_view text) {
  for (auto status : {Status::Placed, Status::Paid, Status::PaymentFailed})
    if (text == to_string(status)) return status;
  throw std::invalid_argument("unknown order status " + std::string(text));
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
    std::int64_t id, std::string customer, const PlaceOrder& request, bool store_known,
    const std::function<std::optional<MenuItem>(std::int64_t)>& menu, std::int64_t now_ms) {
  if (!store_known) throw bad_request("storeId " + std::to_string(request.store_id) + " is not a known store");
  Order order;
  order.id = id;
  order.customer = std::move(customer);
  order.store_id = request.store_id;
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
  platform::Event placed{contracts::event::OrderPlaced,
                         {{"orderId", order.id},
                          {"customerId", order.customer},
                          {"storeId", order.store_id},
                          {"items", items_json(order.items)},
                          {"totalPrice", order.total_price},
                          {"address", order.address},
                          {"lat", order.lat},
                          {"lon", order.lon},
                          {"status", to_string(order.status)}}};
  return {std::move(order), {std::move(placed)}};
}

std::vector<platform::Event> Order::payment_approved() {
  switch (status) {
    case Status::Placed: status = Status::Paid; return {};
    case Status::Paid:
    case Status::PaymentFailed: break;
  }
  throw platform::conflict("order " + std::to_string(id) + " is " + to_string(status) + ", not awaiting payment");
}

std::vector<platform::Event> Order::payment_failed() {
  switch (status) {
    case Status::Placed: status = Status::PaymentFailed; return {};
    case Status::Paid:
    case Status::PaymentFailed: break;
  }
  throw platform::conflict("order " + std::to_string(id) + " is " + to_string(status) + ", not awaiting payment");
}

}  // namespace order
