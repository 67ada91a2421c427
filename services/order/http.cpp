// The order service's HTTP handlers for orders: transport only.
#include <boost/json.hpp>

#include "app.hpp"
#include "contracts/codec.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace order {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

// Links advertise the commands the order's state allows now.
boost::json::object order_links(const Order& order) {
  auto id = std::to_string(order.id);
  auto self = "/orders/" + id;
  std::vector<std::pair<std::string, std::string>> links{
      {"self", self}, {"order", self}, {"status", "/orderStatuses/" + id}, {"payment", "/payments/" + id}};
  for (const auto& command : order.allowed_commands())
    links.emplace_back(command, command == "review" ? std::string("/reviews") : self + "/" + command);
  return platform::hal::links(links);
}

boost::json::object order_json(const Order& order) {
  boost::json::object out{{"orderId", order.id},
                          {"customerId", order.customer},
                          {"storeId", order.store_id},
                          {"storeName", order.store_name},
                          {"items", contracts::codec::write(order.items)},
                          {"totalPrice", order.total_price},
                          {"deliveryFee", order.delivery_fee},
                          {"address", order.address},
                          {"lat", order.lat},
                          {"lon", order.lon},
                          {"status", to_string(order.public_status())},
                          {"placedAt", platform::iso_time(order.placed_at)},
                          {"_links", order_links(order)}};
  if (!order.rider.empty()) out["riderId"] = order.rider;
  return out;
}

Response placed_answer(std::int64_t order_id, std::string body) {
  platform::Response response{201, "application/json", std::move(body), {}};
  response.headers.emplace_back("Location", "/orders/" + std::to_string(order_id));
  return response;
}

Response place_order(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto key = request.headers.find("idempotency-key");
  if (key != request.headers.end()) check_idempotency_key(key->second);
  auto command = parse_place_order(request.json_object());
  auto place = [&](Db& tx) {
    auto store = catalog_stores().find(tx, command.store_id);
    auto menu = [&tx](std::int64_t menu_id) { return catalog_menu().find(tx, menu_id); };
    auto [placed, events] =
        Order::place(orders().next_key(tx), customer.subject, command, store, menu, platform::now_ms());
    platform::record(tx, orders(), placed, events);
    return KeyedAnswer{placed.id, platform::json_response(201, order_json(placed)).body, false};
  };
  KeyedAnswer answer;
  if (key == request.headers.end()) db.transaction([&](Db& tx) { answer = place(tx); });
  else answer = place_once(db, customer.subject, key->second, command, place);
  platform::log::info(answer.replayed ? "order answered again for its idempotency key" : "order placed",
                      {{"orderId", std::to_string(answer.order_id)}, {"customer", customer.subject}});
  auto response = placed_answer(answer.order_id, std::move(answer.body));
  if (answer.replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

// The order as its customer (or its store's owner) may see it; anyone else is told it does
// not exist: ids are not a secret to probe.
Order visible_order(Db& db, const platform::Claims& caller, const Request& request) {
  return orders().get(db, request.id_param("orderId"), [&](const Order& order) {
    return (caller.role == "customer" && order.customer == caller.subject) ||
           (caller.role == "owner" && std::to_string(order.store_id) == caller.store_id);
  });
}

Response get_order(Db& db, const platform::Identity& identity, Request& request) {
  return platform::json_response(200, order_json(visible_order(db, identity.caller(request), request)));
}

constexpr platform::paging::SortField kOrderSorts[] = {
    {"orderId", "order_id"}, {"placedAt", "placed_at"}, {"totalPrice", "total_price"}, {"storeId", "store_id"}};

// The customer's orders, newest first unless sorted otherwise.
Response list_orders(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto page = platform::paging::parse(request.query, kOrderSorts);
  auto slice = platform::paging::select_page(db, orders(), "WHERE customer = ?", {customer.subject}, page, "order_id DESC");
  boost::json::array items;
  for (const auto& order : slice.items) items.push_back(order_json(order));
  return platform::json_response(
      200, platform::hal::collection("orders", std::move(items), request, page, slice.total_elements));
}

Response cancel_order(Db& db, const platform::Identity& identity, const CancelSaga& saga, Request& request) {
  auto customer = identity.require(request, "customer");
  auto id = visible_order(db, customer, request).id;
  return platform::json_response(200, order_json(saga.cancel(id)));
}

Response confirm_delivery(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto id = visible_order(db, customer, request).id;
  auto confirmed = platform::apply(db, orders(), id, [](Order& order) { return order.confirm_delivery(); });
  return platform::json_response(200, order_json(confirmed));
}

}  // namespace

void add_order_routes(platform::ServiceHost& host, std::shared_ptr<const CancelSaga> saga) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("POST", "/orders", [&](Request& r) { return place_order(db, identity, r); });
  router.add("GET", "/orders", [&](Request& r) { return list_orders(db, identity, r); });
  router.add("GET", "/orders/{orderId}", [&](Request& r) { return get_order(db, identity, r); });
  router.add("PUT", "/orders/{orderId}/cancel",
             [&db, &identity, saga](Request& r) { return cancel_order(db, identity, *saga, r); });
  router.add("PUT", "/orders/{orderId}/deliveryconfirm", [&](Request& r) { return confirm_delivery(db, identity, r); });
}

}  // namespace order
