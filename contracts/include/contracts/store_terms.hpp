#pragma once
// A store's terms as StoreChanged carries them: its weekly opening hours, read in
// Asia/Seoul time, and its delivery fee by distance bands. The store service shows them and
// the order service applies them; both read them here, so that they agree on when a store
// is open and what a delivery costs. Pure.
#include <algorithm>
#include <boost/describe/class.hpp>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contracts {

// One opening of the week: "MON" 11:00 to 22:00. A closing at or before the opening is on the
// next day (17:00 to 02:00).
struct OpeningHours {
  std::string day;     // MON TUE WED THU FRI SAT SUN
  std::string opens;   // HH:MM, Asia/Seoul
  std::string closes;  // HH:MM
};
BOOST_DESCRIBE_STRUCT(OpeningHours, (), (day, opens, closes))

// Deliveries up to upToMeters (and beyond the previous band) cost fee. Bands go up by
// distance; beyond the last one the store does not deliver.
struct FeeBand {
  std::int64_t upToMeters = 0;
  std::int64_t fee = 0;  // KRW
};
BOOST_DESCRIBE_STRUCT(FeeBand, (), (upToMeters, fee))

namespace store_terms {

// Korea has kept UTC+9 without daylight saving since 1988, so Asia/Seoul is a fixed offset.
inline constexpr std::int64_t kSeoulOffsetMs = 9LL * 3600 * 1000;
inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMinutes = 24 * 60;
inline constexpr std::int64_t kWeekMinutes = 7 * kDayMinutes;
inline constexpr std::string_view kDays[] = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};

// 0 for MON .. 6 for SUN; -1 for anything else.
inline int day_index(std::string_view day) {
  for (int i = 0; i < 7; ++i)
    if (kDays[i] == day) return i;
  return -1;
}

// Minutes since midnight of "HH:MM" (00:00 to 23:59); -1 for anything else.
inline int minute_of(std::string_view time) {
  if (time.size() != 5 || time[2] != ':') return -1;
  for (int i : {0, 1, 3, 4})
    if (time[i] < '0' || time[i] > '9') return -1;
  int hours = (time[0] - '0') * 10 + (time[1] - '0'), minutes = (time[3] - '0') * 10 + (time[4] - '0');
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : -1;
}

// The minute of the Seoul week (0 = Monday 00:00) of an instant. 1970-01-01 was a Thursday.
inline std::int64_t week_minute(std::int64_t epoch_ms) {
  std::int64_t minutes = (epoch_ms + kSeoulOffsetMs) / kMinuteMs;
  if ((epoch_ms + kSeoulOffsetMs) % kMinuteMs < 0) --minutes;
  return ((minutes + 3 * kDayMinutes) % kWeekMinutes + kWeekMinutes) % kWeekMinutes;
}

// Whether the hours hold the instant. No hours at all: open all week.
inline bool open_at(const std::vector<OpeningHours>& hours, std::int64_t epoch_ms) {
  if (hours.empty()) return true;
  auto now = week_minute(epoch_ms);
  for (const auto& opening : hours) {
    std::int64_t start = day_index(opening.day) * kDayMinutes + minute_of(opening.opens);
    std::int64_t length = (minute_of(opening.closes) - minute_of(opening.opens) + kDayMinutes - 1) % kDayMinutes + 1;
    std::int64_t since = ((now - start) % kWeekMinutes + kWeekMinutes) % kWeekMinutes;  // wraps Sunday night
    if (since < length) return true;
  }
  return false;
}

// The next instant (epoch ms, on a whole minute) after epoch_ms at which an opening starts;
// nothing without hours.
inline std::optional<std::int64_t> next_opening(const std::vector<OpeningHours>& hours, std::int64_t epoch_ms) {
  if (hours.empty()) return std::nullopt;
  auto now = week_minute(epoch_ms);
  std::optional<std::int64_t> soonest;
  for (const auto& opening : hours) {
    std::int64_t start = day_index(opening.day) * kDayMinutes + minute_of(opening.opens);
    std::int64_t ahead = ((start - now) % kWeekMinutes + kWeekMinutes) % kWeekMinutes;
    if (ahead == 0) ahead = kWeekMinutes;
    if (!soonest || ahead < *soonest) soonest = ahead;
  }
  return (epoch_ms - (epoch_ms % kMinuteMs + kMinuteMs) % kMinuteMs) + *soonest * kMinuteMs;
}

// An instant as Seoul's wall clock reads it, to the minute: "2026-12-01T11:00+09:00".
inline std::string seoul_time(std::int64_t epoch_ms) {
  // Seoul keeps no daylight saving: its wall clock is UTC's, 9 hours on.
  std::time_t seconds = static_cast<std::time_t>((epoch_ms + kSeoulOffsetMs) / 1000);
  if ((epoch_ms + kSeoulOffsetMs) % 1000 < 0) --seconds;
  std::tm wall{};
  gmtime_r(&seconds, &wall);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d+09:00", wall.tm_year + 1900, wall.tm_mon + 1,
                wall.tm_mday, wall.tm_hour, wall.tm_min);
  return text;
}

// The fee for a delivery of `meters`; nothing beyond the last band. No bands: free anywhere.
inline std::optional<std::int64_t> delivery_fee(const std::vector<FeeBand>& bands, double meters) {
  if (bands.empty()) return 0;
  for (const auto& band : bands)
    if (meters <= static_cast<double>(band.upToMeters)) return band.fee;
  return std::nullopt;
}

// Great-circle distance (haversine) in metres, on the IUGG mean radius: the one distance of the
// platform (the delivery fee, the arrival estimate, the riders near a customer).
inline double distance_m(double from_lat, double from_lon, double to_lat, double to_lon) {
  constexpr double kEarthRadiusM = 6'371'008.8, kRadians = 3.14159265358979323846 / 180;
  double dlat = (to_lat - from_lat) * kRadians, dlon = (to_lon - from_lon) * kRadians;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(from_lat * kRadians) * std::cos(to_lat * kRadians) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::sqrt(std::min(1.0, a)));
}

}  // namespace store_terms

}  // namespace contracts
