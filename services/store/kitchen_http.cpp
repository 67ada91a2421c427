// The kitchen over HTTP: the owner's list and commands, and the order service's cancel.
// Transport only.
#include <boost/json/parse.hpp>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/event_stream.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace store {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

boost::json::object cooking_json(const FoodCooking& cooking) {
  auto self = "/foodCookings/" + std::to_string(cooking.order_id);
  std::vector<std::pair<std::string, std::string>> links{{"self", self}, {"foodCooking", self}};
  for (const auto& command : cooking.allowed_commands()) links.emplace_back(command, self + "/" + command);
  boost::json::object out{{"orderId", cooking.order_id},
                          {"storeId", cooking.store_id},
                          {"customerId", cooking.customer},
                          {"items", boost::json::parse(cooking.items)},
                          {"totalPrice", cooking.total_price},
                          {"address", cooking.address},
                          {"status", to_string(cooking.status)},
                          {"requestedAt", platform::iso_time(cooking.requested_at)},
                          {"_links", platform::hal::links(links)}};
  if (!cooking.reason.empty()) out["reason"] = cooking.reason;
  return out;
}

std::int64_t owned_store(const platform::Identity& identity, const Request& request) {
  auto owner = identity.require(request, "owner");
  if (auto store_id = platform::fields::positive_id(owner.store_id)) return *store_id;
  throw platform::forbidden("your account owns no store");
}

// Another store's order, or one not yet paid, is reported as missing, as if it did not exist.
bool shown_to(const FoodCooking& cooking, std::int64_t store_id) {
  return cooking.store_id == store_id && cooking.listed();
}

constexpr platform::paging::SortField kCookingSorts[] = {
    {"orderId", "order_id"}, {"requestedAt", "requested_at"}, {"totalPrice", "total_price"}};

// The store's paid orders, newest first unless sorted otherwise.
Response list_cookings(Db& db, const platform::Identity& identity, Request& request) {
  auto store_id = owned_store(identity, request);
  auto page = platform::paging::parse(request.query, kCookingSorts);
  auto slice = platform::paging::select_page(db, cookings(), "WHERE store_id = ? AND requested_at != 0", {store_id},
                                             page, "order_id DESC");
  boost::json::array items;
  for (const auto& cooking : slice.items) items.push_back(cooking_json(cooking));
  return platform::json_response(
      200, platform::hal::collection("foodCookings", std::move(items), request, page, slice.total_elements));
}

Response get_cooking(Db& db, const platform::Identity& identity, Request& request) {
  auto store_id = owned_store(identity, request);
  auto cooking = cookings().get(db, request.id_param("orderId"),
                                [store_id](const FoodCooking& c) { return shown_to(c, store_id); });
  return platform::json_response(200, cooking_json(cooking));
}

using Command = std::function<platform::Events(FoodCooking&, Request&)>;

// An owner's command on one of the store's orders, in one unit of work, so two commands
// racing cannot both win.
Response command_cooking(Db& db, const platform::Identity& identity, Request& request, const Command& command) {
  auto store_id = owned_store(identity, request);
  auto cooking = platform::apply(db, cookings(), request.id_param("orderId"), [&](FoodCooking& c) {
    if (!shown_to(c, store_id)) throw cookings().missing(c.order_id);
    return command(c, request);
  });
  platform::log::info("kitchen step",
                      {{"orderId", std::to_string(cooking.order_id)}, {"status", to_string(cooking.status)}});
  return platform::json_response(200, cooking_json(cooking));
}

// Internal (C4): the order service asks whether the order can still be canceled (R6). An
// order not heard of yet is kept as canceled, so its late events never bring it to the owner.
Response cancel_cooking(Db& db, const platform::Identity& identity, Request& request) {
  identity.require(request, "service");
  auto order_id = request.id_param("orderId");
  auto cooking = platform::apply(
      db, cookings(), order_id, [](FoodCooking& c) { return c.cancel(); },
      [order_id] { return canceled_before_arrival(order_id); });
  platform::log::info("cooking canceled", {{"orderId", std::to_string(order_id)}});
  return platform::json_response(200, {{"orderId", order_id}, {"status", to_string(cooking.status)}});
}

}  // namespace

void add_kitchen_routes(platform::ServiceHost& host) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  auto command = [&](const char* name, Command transition) {
    router.add("PUT", std::string("/foodCookings/{orderId}/") + name,
               [&db, &identity, transition](Request& r) { return command_cooking(db, identity, r, transition); });
  };
  router.add("GET", "/foodCookings", [&](Request& r) { return list_cookings(db, identity, r); });
  // The owner's incoming orders: the list as the GET above answers it (same query), sent
  // again at each change. Before /foodCookings/{orderId}, which would take "stream" for an id.
  router.add("GET", "/foodCookings/stream", [&](Request& r) {
    return platform::watch(
        "foodCookings", [&db, &identity, listed = platform::as_get(r)]() mutable { return list_cookings(db, identity, listed); },
        host.stream_reread());
  });
  router.add("GET", "/foodCookings/{orderId}", [&](Request& r) { return get_cooking(db, identity, r); });
  command("accept", [](FoodCooking& c, Request& r) {
    return c.accept(parse_acceptance(r.body.empty() ? boost::json::object() : r.json_object()));
  });
  command("reject", [](FoodCooking& c, Request& r) { return c.reject(parse_rejection(r.json_object())); });
  command("start", [](FoodCooking& c, Request&) { return c.start(); });
  command("finish", [&db](FoodCooking& c, Request&) {
    auto store = stores().find(db, c.store_id);
    if (!store) throw std::runtime_error("store " + std::to_string(c.store_id) + " is missing from its own table");
    return c.finish(*store);
  });
  router.add("PUT", "/internal/foodCookings/{orderId}/cancel",
             [&](Request& r) { return cancel_cooking(db, identity, r); });
}

}  // namespace store
