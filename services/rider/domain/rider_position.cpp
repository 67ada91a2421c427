#include "domain/rider_position.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace rider {

namespace {

using platform::bad_request;

bool radius_allowed(double km) { return km >= kMinRadiusKm && km <= kMaxRadiusKm; }

Point point_of(const boost::json::object& body) {
  Point at{platform::fields::number(body, "lat"), platform::fields::number(body, "lon")};
  if (at.lat < -90 || at.lat > 90) throw bad_request("lat must be between -90 and 90");
  if (at.lon < -180 || at.lon > 180) throw bad_request("lon must be between -180 and 180");
  return at;
}

}  // namespace

LocationReport parse_location_report(const boost::json::object& body) {
  platform::fields::only(body, {"lat", "lon", "radiusKm"}, "", "; a location report has lat, lon and radiusKm");
  LocationReport report;
  report.at = point_of(body);
  report.radius_km = platform::fields::optional_number(body, "radiusKm");
  if (report.radius_km && !radius_allowed(*report.radius_km))
    throw bad_request("radiusKm must be " + std::string(kRadiusRange));
  return report;
}

double radius_setting(const std::string& text) {
  std::size_t used = 0;
  double km = 0;
  try {
    km = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !radius_allowed(km))
    throw std::invalid_argument("FD_RIDER_RADIUS_KM '" + text + "' must be a number " + std::string(kRadiusRange));
  return km;
}

Point parse_position_report(const boost::json::object& body) {
  platform::fields::only(body, {"lat", "lon"}, "", "; a position report has lat and lon");
  return point_of(body);
}

std::int64_t position_interval_setting(const std::string& text) {
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < kMinPositionIntervalS ||
      seconds > kMaxPositionIntervalS)
    throw std::invalid_argument("FD_RIDER_POSITION_INTERVAL_S '" + text + "' must be whole seconds between " +
                                std::to_string(kMinPositionIntervalS) + " and " +
                                std::to_string(kMaxPositionIntervalS));
  return seconds;
}

RiderPosition RiderPosition::reported(std::string rider, const LocationReport& report,
                                      const std::optional<RiderPosition>& previous, double default_radius_km,
                                      std::int64_t now_ms) {
  double radius = report.radius_km.value_or(previous ? previous->radius_km : default_radius_km);
  return {std::move(rider), report.at, radius, now_ms};
}

}  // namespace rider
