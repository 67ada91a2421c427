#include "domain/rider_position.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

#include "platform/problem.hpp"

namespace rider {

namespace {

using platform::bad_request;

// JSON has no NaN or infinity, but a huge literal such as 1e999 parses to infinity.
std::optional<double> number_field(const boost::json::object& body, std::string_view name) {
  auto* value = body.if_contains(name);
  if (!value) return std::nullopt;
  if (!value->is_number()) throw bad_request(std::string(name) + " must be a number");
  double number = value->to_number<double>();
  if (!std::isfinite(number)) throw bad_request(std::string(name) + " must be a finite number");
  return number;
}

double required_number(const boost::json::object& body, std::string_view name) {
  auto number = number_field(body, name);
  if (!number) throw bad_request(std::string(name) + " is required");
  return *number;
}

bool radius_allowed(double km) { return km >= kMinRadiusKm && km <= kMaxRadiusKm; }

}  // namespace

LocationReport parse_location_report(const boost::json::object& body) {
  static const std::set<std::string_view> allowed{"lat", "lon", "radiusKm"};
  for (const auto& field : body)
    if (!allowed.contains(field.key()))
      throw bad_request("unknown field '" + std::string(field.key()) +
                        "'; a location report has lat, lon and radiusKm");
  LocationReport report;
  report.at.lat = required_number(body, "lat");
  report.at.lon = required_number(body, "lon");
  if (report.at.lat < -90 || report.at.lat > 90) throw bad_request("lat must be between -90 and 90");
  if (report.at.lon < -180 || report.at.lon > 180) throw bad_request("lon must be between -180 and 180");
  report.radius_km = number_field(body, "radiusKm");
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

RiderPosition RiderPosition::reported(std::string rider, const LocationReport& report,
                                      const std::optional<RiderPosition>& previous, double default_radius_km,
                                      std::int64_t now_ms) {
  double radius = report.radius_km.value_or(previous ? previous->radius_km : default_radius_km);
  return {std::move(rider), report.at, radius, now_ms};
}

}  // namespace rider
