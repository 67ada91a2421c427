#pragma once
// Where a rider is and how far they will ride for a pick-up: reported from the rider's
// app, and the rule that decides which deliveries they are offered. No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/geo.hpp"

namespace rider {

inline constexpr double kMinRadiusKm = 0.1;
inline constexpr double kMaxRadiusKm = 20;
inline constexpr const char* kRadiusRange = "between 0.1 and 20 km";

// The body of PUT /riders/me/location.
struct LocationReport {
  Point at;
  std::optional<double> radius_km;
};

// Throws platform::Problem 400 naming the offending field: lat -90..90, lon -180..180,
// optional radiusKm within kMinRadiusKm..kMaxRadiusKm, nothing else.
LocationReport parse_location_report(const boost::json::object& body);

// Throws std::invalid_argument unless text is a radius in kMinRadiusKm..kMaxRadiusKm.
double radius_setting(const std::string& text);

// The body of PUT /deliveries/{orderId}/position: where the rider carrying it is. Throws
// platform::Problem 400 naming the offending field: lat -90..90, lon -180..180, nothing else.
Point parse_position_report(const boost::json::object& body);

// How often the rider carrying a delivery may report its position, in whole seconds.
inline constexpr std::int64_t kMinPositionIntervalS = 1;
inline constexpr std::int64_t kMaxPositionIntervalS = 60;
// Throws std::invalid_argument unless text is whole seconds within 1..60.
std::int64_t position_interval_setting(const std::string& text);

struct RiderPosition {
  std::string rider;
  Point at;
  double radius_km = 3;
  std::int64_t updated_at = 0;  // epoch ms

  // A report without radiusKm keeps the radius the rider chose before (an app resends its
  // position often, its radius rarely), else the platform's default.
  static RiderPosition reported(std::string rider, const LocationReport& report,
                                const std::optional<RiderPosition>& previous, double default_radius_km,
                                std::int64_t now_ms);

  bool reaches(Point place) const { return distance_km(at, place) <= radius_km; }
};

}  // namespace rider
