#include "domain/geo.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rider {

namespace {
constexpr double kEarthRadiusKm = 6371.0088;  // the IUGG mean radius
constexpr double kKmPerDegree = kEarthRadiusKm * std::numbers::pi / 180;

double radians(double degrees) { return degrees * std::numbers::pi / 180; }
}  // namespace

double distance_km(Point from, Point to) {
  double dlat = radians(to.lat - from.lat);
  double dlon = radians(to.lon - from.lon);
  double h = std::pow(std::sin(dlat / 2), 2) +
             std::cos(radians(from.lat)) * std::cos(radians(to.lat)) * std::pow(std::sin(dlon / 2), 2);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, h)));
}

Area area_around(Point centre, double radius_km) {
  Area area;
  double dlat = radius_km / kKmPerDegree;
  area.min_lat = std::max(-90.0, centre.lat - dlat);
  area.max_lat = std::min(90.0, centre.lat + dlat);
  // Near a pole the circle takes in every longitude; across the antimeridian the box
  // would wrap, and a whole band is simpler than two boxes for so rare a case.
  double widest = std::max(std::abs(area.min_lat), std::abs(area.max_lat));
  if (widest >= 89.9) return area;
  double dlon = dlat / std::cos(radians(widest));
  if (centre.lon - dlon < -180 || centre.lon + dlon > 180) return area;
  area.min_lon = centre.lon - dlon;
  area.max_lon = centre.lon + dlon;
  return area;
}

}  // namespace rider
