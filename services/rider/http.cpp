// The rider service's HTTP handlers: transport only.
#include <algorithm>
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
    "to see and take the deliveries near you (those you hold are at GET /riders/me/deliveries)";

boost::json::object position_json(const RiderPosition& position) {
  return {{"riderId", position.rider},
          {"lat", position.at.lat},
          {"lon", position.at.lon},
          {"radiusKm", position.radius_km},
          {"updatedAt", platform::iso_time(position.updated_at)},
          {"_links", platform::hal::links({{"self", "/riders/me/location"},
                                           {"deliveries", "/deliveries"},
                                           {"mine", "/riders/me/deliveries"}})}};
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
  if (delivery.status != DeliveryStatus::Delivered && delivery.held_by(caller))
    links.emplace_back("position", self + "/position");
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
  if (delivery.last_reported)
    body["riderPosition"] = {{"lat", delivery.last_reported->at.lat},
                             {"lon", delivery.last_reported->at.lon},
                             {"reportedAt", platform::iso_time(delivery.last_reported->reported_at)}};
  body["_links"] = platform::hal::links(links);
  return body;
}

boost::json::array page_of(const std::vector<Delivery>& listed, const std::string& caller,
                           const std::optional<RiderPosition>& position) {
  boost::json::array items;
  for (const auto& delivery : listed) items.push_back(delivery_json(delivery, caller, position));
  return items;
}

// The open deliveries near the rider, nearest first: one fixed order, since nearness is the
// rider's to the customer, counted here and not in SQL, so the page is cut here.
Response list_offers(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto page = platform::paging::parse(request.query, {});
  auto position = positions().find(db, caller.subject);
  if (!position) throw platform::conflict(kNoPosition);
  auto offers = offers_near(db, *position);
  auto total = static_cast<std::int64_t>(offers.size());
  auto from = std::min(page.offset(), total), to = std::min(from + page.size, total);
  std::vector<Delivery> listed(offers.begin() + from, offers.begin() + to);
  return platform::json_response(
      200, platform::hal::collection("deliveries", page_of(listed, caller.subject, position), request, page, total));
}

// What the rider holds, with or without a reported position: a rider who has taken a
// delivery always finds it again.
Response list_mine(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto page = platform::paging::parse(request.query, {});
  auto slice = held_by(db, caller.subject, page);
  auto position = positions().find(db, caller.subject);
  auto items = page_of(slice.items, caller.subject, position);
  return platform::json_response(
      200, platform::hal::collection("deliveries", std::move(items), request, page, slice.total_elements));
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

// The rider carrying a delivery says where they are; the customer's view follows by event.
// Needs no position reported to PUT /riders/me/location: holding the delivery is enough.
Response report_delivery_position(Db& db, const platform::Identity& identity, std::int64_t interval_s,
                                  Request& request) {
  auto caller = identity.require(request, "rider");
  auto id = request.id_param("orderId");
  auto at = parse_position_report(request.json_object());
  auto position = positions().find(db, caller.subject);
  auto changed = platform::apply(
      db, deliveries(), id,
      [&](Delivery& delivery) {
        return delivery.report_position(caller.subject, position, at, platform::now_ms(), interval_s * 1000);
      },
      [&]() -> Delivery { throw unseen(id); });
  return platform::json_response(200, delivery_json(changed, caller.subject, position));
}

}  // namespace

void add_routes(platform::ServiceHost& host, const Settings& settings) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("PUT", "/riders/me/location", [&, radius = settings.default_radius_km](Request& r) {
    return report_location(db, identity, radius, r);
  });
  router.add("GET", "/riders/me/location", [&](Request& r) { return get_location(db, identity, r); });
  router.add("GET", "/riders/me/deliveries", [&](Request& r) { return list_mine(db, identity, r); });
  router.add("GET", "/deliveries", [&](Request& r) { return list_offers(db, identity, r); });
  // The offers near the rider and the rider's own deliveries, each as its GET answers it (same
  // query; the offers from the position last reported), sent again at each change. Before
  // /deliveries/{orderId}, which would take "stream" for an id.
  router.add("GET", "/deliveries/stream", [&](Request& r) {
    return platform::watch(
        "deliveries", [&db, &identity, listed = platform::as_get(r)]() mutable { return list_offers(db, identity, listed); },
        host.stream_reread());
  });
  router.add("GET", "/riders/me/deliveries/stream", [&](Request& r) {
    return platform::watch(
        "deliveries", [&db, &identity, listed = platform::as_get(r)]() mutable { return list_mine(db, identity, listed); },
        host.stream_reread());
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
  router.add("PUT", "/deliveries/{orderId}/position", [&, interval = settings.position_interval_s](Request& r) {
    return report_delivery_position(db, identity, interval, r);
  });
}

}  // namespace rider
