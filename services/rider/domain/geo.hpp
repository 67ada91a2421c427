#pragma once
// Distances on the Earth, for "riders near the customer". No I/O here.

namespace rider {

struct Point {
  double lat = 0;  // degrees, -90..90
  double lon = 0;  // degrees, -180..180
};

// Great-circle distance in km, as the contracts measure it (the delivery fee's distance):
// good to about 0.5% anywhere, which is far finer than a rider's radius.
double distance_km(Point from, Point to);

// A lat/lon box that holds every point within radius_km of centre, so that a database
// index can discard far rows before the exact distance is computed.
struct Area {
  double min_lat = -90;
  double max_lat = 90;
  double min_lon = -180;
  double max_lon = 180;
};
Area area_around(Point centre, double radius_km);

}  // namespace rider
