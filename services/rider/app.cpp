#include "app.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "contracts/events.hpp"
#include "domain/delivery.hpp"
#include "domain/rider_position.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace rider {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS rider_positions (
  rider TEXT PRIMARY KEY, lat REAL NOT NULL, lon REAL NOT NULL, radius_km REAL NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, store_name TEXT NOT NULL,
  store_lat REAL NOT NULL, store_lon REAL NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  status TEXT NOT NULL, rider TEXT, opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_by_place ON deliveries (status, lat, lon);
CREATE INDEX IF NOT EXISTS deliveries_by_rider ON deliveries (rider, status);
)";

// A rider reads a short list: the nearest offers, not every open delivery in a dense city.
constexpr std::size_t kMaxOffers = 100;

constexpr const char* kNoPosition =
    "no position reported yet: report where you are with PUT /riders/me/location {\"lat\",\"lon\",\"radiusKm\"} "
    "to see and take the deliveries near you";

std::optional<RiderPosition> find_position(Db& db, const std::string& rider) {
  auto row =
      db.query_one("SELECT rider, lat, lon, radius_km, updated_at FROM rider_positions WHERE rider = ?", {rider});
  if (!row) return std::nullopt;
  return RiderPosition{row->text(0), {row->real(1), row->real(2)}, row->real(3), row->integer(4)};
}

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
    position = RiderPosition::reported(caller.subject, report, find_position(tx, caller.subject), default_radius_km,
                                       platform::now_ms());
    tx.exec("INSERT INTO rider_positions (rider, lat, lon, radius_km, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (rider) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, "
            "radius_km = excluded.radius_km, updated_at = excluded.updated_at",
            {position.rider, position.at.lat, position.at.lon, position.radius_km, position.updated_at});
  });
  return platform::json_response(200, position_json(position));
}

Response get_location(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto position = find_position(db, caller.subject);
  if (!position) throw platform::not_found(kNoPosition);
  return platform::json_response(200, position_json(*position));
}

constexpr const char* kSelectDelivery =
    "SELECT order_id, customer, store_id, store_name, store_lat, store_lon, address, lat, lon, status, rider, "
    "opened_at FROM deliveries ";

Delivery delivery_from(const platform::Row& row) {
  return {row.integer(0),
          row.text(1),
          row.integer(2),
          row.text(3),
          {row.real(4), row.real(5)},
          row.text(6),
          {row.real(7), row.real(8)},
          delivery_status_from(row.text(9)),
          row.text(10),
          row.integer(11)};
}

std::optional<Delivery> find_delivery(Db& db, std::int64_t order_id) {
  auto row = db.query_one(std::string(kSelectDelivery) + "WHERE order_id = ?", {order_id});
  if (!row) return std::nullopt;
  return delivery_from(*row);
}

// Guarded by the status the delivery was read in: SQLite's write transaction already
// serializes two riders, but under PostgreSQL's READ COMMITTED both could read OPEN.
void save(Db& tx, const Delivery& delivery, DeliveryStatus read_as) {
  auto changed = tx.exec(
      "UPDATE deliveries SET status = ?, rider = ?, updated_at = ? WHERE order_id = ? AND status = ?",
      {std::string(to_string(delivery.status)),
       delivery.rider.empty() ? platform::Value{nullptr} : platform::Value{delivery.rider}, platform::now_ms(),
       delivery.order_id, std::string(to_string(read_as))});
  if (changed != 1)
    throw platform::conflict("delivery " + std::to_string(delivery.order_id) +
                             " changed while you acted on it; load it again");
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

Response list_deliveries(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto position = find_position(db, caller.subject);
  if (!position) throw platform::conflict(kNoPosition);

  boost::json::array items;
  for (const auto& row : db.query(std::string(kSelectDelivery) + "WHERE rider = ? AND status <> ? ORDER BY order_id",
                                  {caller.subject, std::string(to_string(DeliveryStatus::Delivered))}))
    items.push_back(delivery_json(delivery_from(row), caller.subject, position));

  auto area = area_around(position->at, position->radius_km);
  std::vector<std::pair<double, Delivery>> offers;
  for (const auto& row : db.query(std::string(kSelectDelivery) +
                                      "WHERE status = ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                                  {std::string(to_string(DeliveryStatus::Open)), area.min_lat, area.max_lat,
                                   area.min_lon, area.max_lon})) {
    auto delivery = delivery_from(row);
    if (delivery.offered_to(*position)) offers.emplace_back(distance_km(position->at, delivery.destination), delivery);
  }
  std::sort(offers.begin(), offers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (offers.size() > kMaxOffers) offers.resize(kMaxOffers);
  for (const auto& [distance, delivery] : offers) items.push_back(delivery_json(delivery, caller.subject, position));
  return platform::json_response(200, platform::hal::collection("deliveries", std::move(items), "/deliveries"));
}

Response get_delivery(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "rider");
  auto id = request.id_param("orderId");
  auto position = find_position(db, caller.subject);
  auto delivery = find_delivery(db, id);
  if (!delivery || !delivery->visible_to(caller.subject, position))
    throw platform::not_found("no delivery for order " + std::to_string(id) + " near you or held by you");
  return platform::json_response(200, delivery_json(*delivery, caller.subject, position));
}

// A rider's command on a delivery: the check and the change in one transaction, so that of
// several riders taking the same delivery at once exactly one wins.
template <class Transition>
Response command(Db& db, const platform::Identity& identity, Request& request, const char* done,
                 Transition transition) {
  auto caller = identity.require(request, "rider");
  auto id = request.id_param("orderId");
  Delivery changed;
  std::optional<RiderPosition> position;
  db.transaction([&](Db& tx) {
    auto delivery = find_delivery(tx, id);
    if (!delivery) throw platform::not_found("no delivery for order " + std::to_string(id));
    position = find_position(tx, caller.subject);
    if (!position) throw platform::conflict(kNoPosition);
    auto read_as = delivery->status;
    auto events = transition(*delivery, *position);
    save(tx, *delivery, read_as);
    platform::append_events(tx, events);
    changed = std::move(*delivery);
  });
  platform::log::info(done, {{"orderId", std::to_string(id)}, {"rider", caller.subject}});
  return platform::json_response(200, delivery_json(changed, caller.subject, position));
}

double number(const boost::json::object& body, const char* name) { return body.at(name).to_number<double>(); }

// The kitchen is done: the delivery opens to the riders near the customer. A repeated
// CookFinished (a store replaying its events) opens nothing new.
void on_cook_finished(Db& tx, const platform::ReceivedEvent& event) {
  const auto& body = event.body;
  auto now = platform::now_ms();
  auto opened = tx.exec(
      "INSERT INTO deliveries (order_id, customer, store_id, store_name, store_lat, store_lon, address, lat, lon, "
      "status, rider, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) "
      "ON CONFLICT (order_id) DO NOTHING",
      {body.at("orderId").as_int64(), std::string(body.at("customerId").as_string()), body.at("storeId").as_int64(),
       std::string(body.at("storeName").as_string()), number(body, "storeLat"), number(body, "storeLon"),
       std::string(body.at("address").as_string()), number(body, "lat"), number(body, "lon"),
       std::string(to_string(DeliveryStatus::Open)), now, now});
  if (opened) platform::log::info("delivery opened to nearby riders", {{"orderId", event.order_id()}});
}

void on_delivery_confirmed(Db& tx, const platform::ReceivedEvent& event) {
  auto delivery = find_delivery(tx, event.body.at("orderId").as_int64());
  if (!delivery) throw std::runtime_error("delivery confirmed before its CookFinished was seen; retrying");
  try {
    auto read_as = delivery->status;
    auto events = delivery->delivery_confirmed();
    save(tx, *delivery, read_as);
    platform::append_events(tx, events);
    platform::log::info("delivered", {{"orderId", event.order_id()}, {"rider", delivery->rider}});
  } catch (const platform::Problem& refused) {
    platform::log::warn("event ignored", {{"orderId", event.order_id()}, {"reason", refused.detail}});
  }
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  auto default_radius_km = radius_setting(host.config().get("RIDER_RADIUS_KM", "3"));
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("PUT", "/riders/me/location",
             [&, default_radius_km](Request& r) { return report_location(db, identity, default_radius_km, r); });
  router.add("GET", "/riders/me/location", [&](Request& r) { return get_location(db, identity, r); });
  router.add("GET", "/deliveries", [&](Request& r) { return list_deliveries(db, identity, r); });
  router.add("GET", "/deliveries/{orderId}", [&](Request& r) { return get_delivery(db, identity, r); });
  router.add("PUT", "/deliveries/{orderId}/assign", [&](Request& r) {
    return command(db, identity, r, "delivery assigned",
                   [](Delivery& d, const RiderPosition& rider) { return d.assign(rider); });
  });
  router.add("PUT", "/deliveries/{orderId}/pick", [&](Request& r) {
    return command(db, identity, r, "delivery picked up",
                   [](Delivery& d, const RiderPosition& rider) { return d.pick(rider.rider); });
  });
  return {{contracts::event::CookFinished, on_cook_finished},
          {contracts::event::DeliveryConfirmed, on_delivery_confirmed}};
}

}  // namespace rider
