#include "domain/geo.hpp"

#include "contracts/store_terms.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rider {

namespace {
constexpr double kEarthRadiusKm = 6371.0088;  // the IUGG mean radius
constexpr double kKmPerDegree = kEarthRadiusKm * std::numbers::pi / 180;
}  // namespace

double distance_km(Point from, Point to) {
  return contracts::store_terms::distance_m(from.lat, from.lon, to.lat, to.lon) / 1000;
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
  double dlon = dlat / std::cos(widest * std::numbers::pi / 180);
  if (centre.lon - dlon < -180 || centre.lon + dlon > 180) return area;
  area.min_lon = centre.lon - dlon;
  area.max_lon = centre.lon + dlon;
  return area;
}

}  // namespace rider
