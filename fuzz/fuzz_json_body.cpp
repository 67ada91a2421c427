// Bytes as the body of a request: parsed by platform::Request::json_object() as every handler
// does, then given to each service's pure validator of a request body (order, review, login,
// sign-up, refresh, rejection, rider location), and what a validator accepts is used as its
// service uses it next (an order priced from a menu, a rider's position and area).
//
// Findings (abort): any exception but platform::Problem; a Problem that is not the documented
// 400; a value accepted outside the ranges its validator promises, or a text accepted with a
// control or bidirectional formatting character (a newline only in free text);
// platform::to_json output that does not parse back to the same value; and whatever
// ASan/UBSan/libFuzzer catch.
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <string>

#include "domain/account.hpp"
#include "domain/food_cooking.hpp"
#include "domain/order.hpp"
#include "domain/rider_position.hpp"
#include "platform/http.hpp"
#include "platform/json_text.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace {

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "FINDING: %s\n", what.c_str());
  std::abort();
}

void expect(bool ok, const char* what) {
  if (!ok) finding(what);
}

void expect_clean(const std::string& text, bool newlines, const char* what) {
  if (auto unsafe = platform::fields::unsafe_character(text, newlines))
    finding(std::string(what) + " accepted with " + *unsafe);
}

// Runs one validator: a Problem 400 is its answer to bad input; anything else is a finding.
template <class F>
void validate(const char* name, F&& f) {
  try {
    f();
  } catch (const platform::Problem& problem) {
    if (problem.status != 400)
      finding(std::string(name) + " threw Problem " + std::to_string(problem.status) + ": " + problem.detail);
    if (problem.detail.empty()) finding(std::string(name) + " threw a Problem without detail");
    // The handler's answer; it quotes the client's input.
    auto body = platform::problem_response(problem.status, problem.title, problem.detail).body;
    boost::system::error_code ec;
    boost::json::parse(body, ec);
    if (ec) finding(std::string(name) + "'s problem+json is not JSON: " + body);
  } catch (const std::exception& error) {
    finding(std::string(name) + " threw a non-Problem exception: " + error.what());
  }
}

// Equal as JSON text means: numbers by value (to_json writes 37.0 as 37), and a double that
// is not finite (1e999 parses to infinity) written as null. Doubles may differ in their last
// bits: to_json writes the shortest text that reads back exactly (std::to_chars), but
// Boost.JSON 1.81 does not always read a long mantissa exactly (1.84467440739179e+210 comes
// back one ULP off where strtod is exact).
bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && !std::isfinite(a.get_double())) return b.is_null();
  if (a.is_number() && b.is_number()) {
    if (!a.is_double() && !b.is_double()) return a == b;
    double x = a.to_number<double>(), y = b.to_number<double>();
    return x == y || std::abs(x - y) <= std::abs(x) * 4 * std::numeric_limits<double>::epsilon();
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& field : x) {
      auto* other = y.if_contains(field.key());
      if (!other || !same_json(field.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

std::optional<order::MenuItem> menu(std::int64_t menu_id) {
  if (menu_id >= 101 && menu_id <= 105) return order::MenuItem{menu_id, 1, "메뉴", 23000 + (menu_id - 101) * 1000};
  if (menu_id >= 201 && menu_id <= 203) return order::MenuItem{menu_id, 2, "떡볶이", 4500};
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  platform::Request request;
  request.body.assign(reinterpret_cast<const char*>(data), size);
  boost::json::object body;
  try {
    body = request.json_object();
  } catch (const platform::Problem& problem) {
    if (problem.status != 400) finding("json_object threw Problem " + std::to_string(problem.status));
    return 0;
  } catch (const std::exception& error) {
    finding(std::string("json_object threw a non-Problem exception: ") + error.what());
  }

  // Responses and events are written with to_json: it must give back what it was given.
  {
    boost::system::error_code ec;
    auto text = platform::to_json(body);
    auto again = boost::json::parse(text, ec);
    if (ec) finding("to_json wrote text that is not JSON: " + text);
    if (!same_json(body, again)) finding("to_json changed the value: " + text);
  }

  validate("order::parse_place_order", [&] {
    auto place = order::parse_place_order(body);
    expect(place.store_id > 0, "storeId accepted <= 0");
    expect(!place.items.empty() && place.items.size() <= order::kMaxLines, "items count accepted out of range");
    for (const auto& [menu_id, qty] : place.items)
      expect(qty >= 1 && qty <= order::kMaxQty, "qty accepted out of range");
    expect(!place.address.empty() && place.address.size() <= order::kMaxAddress, "address accepted out of range");
    expect_clean(place.address, false, "address");
    expect(std::isfinite(place.lat) && place.lat >= -90 && place.lat <= 90, "lat accepted out of range");
    expect(std::isfinite(place.lon) && place.lon >= -180 && place.lon <= 180, "lon accepted out of range");
    const order::CatalogStore store{.store_id = place.store_id, .name = "교촌치킨 강남역점", .lat = 37.4979, .lon = 127.0276};
    auto [placed, events] = order::Order::place(7, "customer1", place, store, menu, 1795312345678);
    expect(placed.total_price > 0 && events.size() == 1, "a placed order without price or event");
    platform::to_json(events.front().body);
  });

  validate("order::parse_review", [&] {
    auto review = order::parse_review(body);
    expect(review.rating >= 1 && review.rating <= 5, "rating accepted out of range");
    expect(review.content.size() <= order::kMaxReview, "review content accepted too long");
    expect_clean(review.content, true, "review content");
  });

  validate("auth::parse_login", [&] {
    auto credentials = auth::parse_login(body);
    expect(!credentials.username.empty() && !credentials.password.empty(), "empty credentials accepted");
    expect_clean(credentials.username, false, "username");
    expect_clean(credentials.password, false, "password");
  });

  validate("auth::parse_sign_up", [&] {
    auto sign_up = auth::parse_sign_up(body);
    const auto& name = sign_up.credentials.username;
    expect(name.size() >= 3 && name.size() <= 32 &&
               name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos,
           "username accepted out of its alphabet or length");
    expect(sign_up.credentials.password.size() >= auth::kMinPasswordCharacters &&
               sign_up.credentials.password.size() <= 128,
           "password accepted out of range");
    expect(!sign_up.display_name.empty() && sign_up.display_name.size() <= 64, "displayName accepted out of range");
    expect_clean(sign_up.display_name, false, "displayName");
  });

  validate("auth::parse_refresh", [&] {
    auto token = auth::parse_refresh(body);
    expect(!token ? body.empty() : !token->empty() && token->size() <= 128, "refreshToken accepted out of range");
    if (token) expect_clean(*token, false, "refreshToken");
  });

  validate("store::parse_rejection", [&] {
    auto reason = store::parse_rejection(body);
    expect(!reason.empty() && reason.size() <= store::kMaxReason, "reason accepted out of range");
    expect_clean(reason, true, "reason");
  });

  validate("rider::parse_location_report", [&] {
    auto report = rider::parse_location_report(body);
    expect(std::isfinite(report.at.lat) && report.at.lat >= -90 && report.at.lat <= 90, "lat accepted out of range");
    expect(std::isfinite(report.at.lon) && report.at.lon >= -180 && report.at.lon <= 180, "lon accepted out of range");
    if (report.radius_km)
      expect(*report.radius_km >= rider::kMinRadiusKm && *report.radius_km <= rider::kMaxRadiusKm,
             "radiusKm accepted out of range");
    auto position = rider::RiderPosition::reported("rider1", report, std::nullopt, 3, 1795312345678);
    auto area = rider::area_around(position.at, position.radius_km);
    expect(area.min_lat <= position.at.lat && position.at.lat <= area.max_lat && area.min_lon <= position.at.lon &&
               position.at.lon <= area.max_lon,
           "the rider is outside their own area");
    expect(position.reaches(position.at), "a rider does not reach where they are");
  });

  validate("rider::parse_position_report", [&] {
    auto at = rider::parse_position_report(body);
    expect(std::isfinite(at.lat) && at.lat >= -90 && at.lat <= 90, "lat accepted out of range");
    expect(std::isfinite(at.lon) && at.lon >= -180 && at.lon <= 180, "lon accepted out of range");
  });
  return 0;
}
