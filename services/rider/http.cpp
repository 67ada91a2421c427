// The rider service's HTTP handlers: transport only.
#include <cmath>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/event_stream.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace rider {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr const char* kNoPosition =
    "no position reported yet: report where you are with PUT /riders/me/location {\"lat\",\"lon\",\"radiusKm\"} "
    "to see and take the deliveries near you";

boost::json::object position_json(const RiderPosition& position) {
  return {{"riderId", position.rider},
          {"lat", position.at.lat},
          {"lon", position.at.lon},
          {"radiusKm", position.radius_km},
          {"updatedAt", platform::iso_time(position.updated_at)},
          {"_links", platform::hal::links({{"self", "/riders/me/location"}, {"deliveries", "/deliveries"}})}};
}

Response report_location(Db& db, const platform::Identity& identity, double default_radius_km, Request& request) {
  auto caller = identity.require(request, "rider");
  auto report = parse_location_report(request.json_object());
  RiderPosition position;
  db.transaction([&](Db& tx) {
    position = RiderPosition::reported(caller.subject, report, positions().find(tx, caller.subject),
                                       default_radius_km, platform::now_ms());
    positions().save(tx, position);
  });
  return platform::json_response(200, position_json(position));
}

Response get_location(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto position = positions().find(db, caller.subject);
  if (!position) throw platform::not_found(kNoPosition);
  return platform::json_response(200, position_json(*position));
}

double rounded_km(double km) { return std::round(km * 100) / 100; }

boost::json::object delivery_json(const Delivery& delivery, const std::string& caller,
                                  const std::optional<RiderPosition>& position) {
  auto self = "/deliveries/" + std::to_string(delivery.order_id);
  std::vector<std::pair<std::string, std::string>> links{{"self", self}, {"delivery", self}};
  if (delivery.status == DeliveryStatus::Open) links.emplace_back("assign", self + "/assign");
  if (delivery.status == DeliveryStatus::Assigned && delivery.held_by(caller))
    links.emplace_back("pick", self + "/pick");
  boost::json::object body{{"orderId", delivery.order_id},
                           {"status", to_string(delivery.status)},
                           {"storeId", delivery.store_id},
                           {"storeName", delivery.store_name},
                           {"storeLat", delivery.store.lat},
                           {"storeLon", delivery.store.lon},
                           {"address", delivery.address},
                           {"lat", delivery.destination.lat},
                           {"lon", delivery.destination.lon}};
  if (position) body["distanceKm"] = rounded_km(distance_km(position->at, delivery.destination));
  if (!delivery.rider.empty()) body["riderId"] = delivery.rider;
  body["openedAt"] = platform::iso_time(delivery.opened_at);
  body["_links"] = platform::hal::links(links);
  return body;
}

// The rider's own deliveries, then the open ones nearest first: one fixed order, since
// nearness is the rider's to the customer, counted here and not in SQL, so the page is cut here.
Response list_deliveries(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto page = platform::paging::parse(request.query, {});
  auto position = positions().find(db, caller.subject);
  if (!position) throw platform::conflict(kNoPosition);
  auto listed = held_by(db, caller.subject);
  for (auto& delivery : offers_near(db, *position)) listed.push_back(std::move(delivery));
  auto total = static_cast<std::int64_t>(listed.size());
  boost::json::array items;
  for (auto i = page.offset(); i < total && i - page.offset() < page.size; ++i)
    items.push_back(delivery_json(listed[static_cast<std::size_t>(i)], caller.subject, position));
  return platform::json_response(200, platform::hal::collection("deliveries", std::move(items), request, page, total));
}

Response get_delivery(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto id = request.id_param("orderId");
  auto position = positions().find(db, caller.subject);
  auto delivery = deliveries().find(db, id);
  if (!delivery || !delivery->visible_to(caller.subject, position)) throw unseen(id);
  return platform::json_response(200, delivery_json(*delivery, caller.subject, position));
}

// A rider's command on a delivery. Of several riders taking the same delivery at once
// exactly one wins: apply reads and saves it in one write transaction, so the others read it
// held by another rider, which they no longer see (404). A rider without a position sees
// nothing to take, and hears so before any delivery is read: whether the id exists is not told.
template <class Transition>
Response command(Db& db, const platform::Identity& identity, Request& request, const char* done,
                 Transition transition) {
  auto caller = identity.require(request, "rider");
  auto id = request.id_param("orderId");
  auto position = positions().find(db, caller.subject);
  if (!position) throw platform::conflict(kNoPosition);
  auto changed = platform::apply(
      db, deliveries(), id, [&](Delivery& delivery) { return transition(delivery, *position); },
      [&]() -> Delivery { throw unseen(id); });
  platform::log::info(done, {{"orderId", std::to_string(id)}, {"rider", caller.subject}});
  return platform::json_response(200, delivery_json(changed, caller.subject, position));
}

}  // namespace

void add_routes(platform::ServiceHost& host, double default_radius_km) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("PUT", "/riders/me/location",
             [&, default_radius_km](Request& r) { return report_location(db, identity, default_radius_km, r); });
  router.add("GET", "/riders/me/location", [&](Request& r) { return get_location(db, identity, r); });
  router.add("GET", "/deliveries", [&](Request& r) { return list_deliveries(db, identity, r); });
  // The rider's deliveries and the offers near them: the list as the GET above answers it
  // (same query, from the position last reported), sent again at each change, a new position
  // among them. Before /deliveries/{orderId}, which would take "stream" for an id.
  router.add("GET", "/deliveries/stream", [&](Request& r) {
    return platform::watch(
        "deliveries", [&db, &identity, listed = platform::as_get(r)]() mutable { return list_deliveries(db, identity, listed); },
        platform::kWatchEvery);
  });
  router.add("GET", "/deliveries/{orderId}", [&](Request& r) { return get_delivery(db, identity, r); });
  router.add("PUT", "/deliveries/{orderId}/assign", [&](Request& r) {
    return command(db, identity, r, "delivery assigned",
                   [](Delivery& d, const RiderPosition& rider) { return d.assign(rider); });
  });
  router.add("PUT", "/deliveries/{orderId}/pick", [&](Request& r) {
    return command(db, identity, r, "delivery picked up",
                   [](Delivery& d, const RiderPosition& rider) { return d.pick(rider); });
  });
}

}  // namespace rider
