#include <algorithm>

#include "app.hpp"
#include "platform/clock.hpp"

namespace rider {

namespace {
constexpr std::size_t kMaxOffers = 100;

template <class Field>
platform::Value reported(const Delivery& delivery, Field field) {
  return delivery.last_reported ? platform::Value(field(*delivery.last_reported)) : platform::Value(nullptr);
}
}  // namespace

const platform::Table<Delivery>& deliveries() {
  static const platform::Table<Delivery> table{
      "deliveries",
      "delivery for order",
      {platform::column("order_id", &Delivery::order_id),
       platform::column("customer", &Delivery::customer),
       platform::column("store_id", &Delivery::store_id),
       platform::column("store_name", &Delivery::store_name),
       {"store_lat", [](const Delivery& d) { return d.store.lat; }},
       {"store_lon", [](const Delivery& d) { return d.store.lon; }},
       platform::column("address", &Delivery::address),
       {"lat", [](const Delivery& d) { return d.destination.lat; }},
       {"lon", [](const Delivery& d) { return d.destination.lon; }},
       {"status", [](const Delivery& d) { return std::string(to_string(d.status)); }},
       {"rider", [](const Delivery& d) { return platform::text_or_null(d.rider); }},
       platform::column("opened_at", &Delivery::opened_at),
       {"rider_lat", [](const Delivery& d) { return reported(d, [](const ReportedPoint& p) { return p.at.lat; }); }},
       {"rider_lon", [](const Delivery& d) { return reported(d, [](const ReportedPoint& p) { return p.at.lon; }); }},
       {"position_at",
        [](const Delivery& d) { return reported(d, [](const ReportedPoint& p) { return p.reported_at; }); }},
       {"updated_at", [](const Delivery&) { return platform::now_ms(); }}},
      [](const platform::Row& row) {
        return Delivery{row.integer("order_id"),
                        row.text("customer"),
                        row.integer("store_id"),
                        row.text("store_name"),
                        {row.real("store_lat"), row.real("store_lon")},
                        row.text("address"),
                        {row.real("lat"), row.real("lon")},
                        delivery_status_from(row.text("status")),
                        row.text("rider"),
                        row.integer("opened_at"),
                        row.is_null("position_at")
                            ? std::nullopt
                            : std::optional(ReportedPoint{{row.real("rider_lat"), row.real("rider_lon")},
                                                          row.integer("position_at")})};
      }};
  return table;
}

const platform::Table<RiderPosition>& positions() {
  static const platform::Table<RiderPosition> table{
      "rider_positions",
      "position of rider",
      {platform::column("rider", &RiderPosition::rider),
       {"lat", [](const RiderPosition& p) { return p.at.lat; }},
       {"lon", [](const RiderPosition& p) { return p.at.lon; }},
       platform::column("radius_km", &RiderPosition::radius_km),
       platform::column("updated_at", &RiderPosition::updated_at)},
      [](const platform::Row& row) {
        return RiderPosition{row.text("rider"), {row.real("lat"), row.real("lon")}, row.real("radius_km"),
                             row.integer("updated_at")};
      }};
  return table;
}

platform::paging::Slice<Delivery> held_by(platform::Db& db, const std::string& rider,
                                          const platform::paging::PageRequest& page) {
  return platform::paging::select_page(db, deliveries(), "WHERE rider = ? AND status <> ?",
                                       {rider, std::string(to_string(DeliveryStatus::Delivered))}, page, "order_id");
}

std::vector<Delivery> offers_near(platform::Db& db, const RiderPosition& position) {
  // The box lets the index discard far rows; the exact distance decides.
  auto area = area_around(position.at, position.radius_km);
  std::vector<std::pair<double, Delivery>> offers;
  for (auto& delivery : deliveries().select(db, "WHERE status = ? AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                                            {std::string(to_string(DeliveryStatus::Open)), area.min_lat,
                                             area.max_lat, area.min_lon, area.max_lon}))
    if (delivery.offered_to(position))
      offers.emplace_back(distance_km(position.at, delivery.destination), std::move(delivery));
  std::sort(offers.begin(), offers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (offers.size() > kMaxOffers) offers.resize(kMaxOffers);
  std::vector<Delivery> nearest;
  for (auto& [distance, delivery] : offers) nearest.push_back(std::move(delivery));
  return nearest;
}

}  // namespace rider
