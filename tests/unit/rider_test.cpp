#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <functional>
#include <numbers>

#include "domain/delivery.hpp"
#include "domain/geo.hpp"
#include "domain/rider_position.hpp"
#include "platform/problem.hpp"

namespace {

using rider::Delivery;
using rider::DeliveryStatus;
using rider::Point;
using rider::RiderPosition;

constexpr Point kGangnam{37.4979, 127.0276};   // 강남역
constexpr Point kYeoksam{37.5006, 127.0364};   // 역삼역
constexpr Point kHongdae{37.5563, 126.9236};   // 홍대입구

platform::Problem problem_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    return problem;
  }
  return {0, "", "no problem"};
}

Delivery open_delivery() {
  return {7, "customer1", 1, "교촌치킨 강남역점", kGangnam, "서울 강남구 테헤란로 152", kYeoksam,
          DeliveryStatus::Open, "", 1000};
}

RiderPosition at(const std::string& rider, Point where, double radius_km = 3) { return {rider, where, radius_km, 1}; }

// --- distance and radius -------------------------------------------------------------

TEST(RiderDistance, MatchesKnownDistancesInSeoul) {
  EXPECT_NEAR(rider::distance_km(kGangnam, kYeoksam), 0.83, 0.01);
  EXPECT_NEAR(rider::distance_km(kGangnam, kHongdae), 11.24, 0.02);
  EXPECT_NEAR(rider::distance_km(kHongdae, kGangnam), rider::distance_km(kGangnam, kHongdae), 1e-9);
  EXPECT_DOUBLE_EQ(rider::distance_km(kGangnam, kGangnam), 0);
  // Seoul City Hall to Busan City Hall, about 325 km as the crow flies.
  EXPECT_NEAR(rider::distance_km({37.5663, 126.9779}, {35.1798, 129.0750}), 325, 2);
}

TEST(RiderDistance, IsStableAtTheEquatorPolesAndAntipodes) {
  EXPECT_NEAR(rider::distance_km({0, 0}, {0, 1}), 111.195, 0.01);
  EXPECT_NEAR(rider::distance_km({0, 179.5}, {0, -179.5}), 111.195, 0.01);  // across the antimeridian
  EXPECT_NEAR(rider::distance_km({90, 0}, {90, 120}), 0, 1e-9);
  EXPECT_NEAR(rider::distance_km({0, 0}, {0, 180}), 20015.1, 0.5);  // half the circumference, no NaN
}

TEST(RiderRadius, ReachesWhatIsWithinItsRadiusOnly) {
  EXPECT_TRUE(at("rider1", kGangnam).reaches(kYeoksam));
  EXPECT_FALSE(at("rider1", kHongdae).reaches(kYeoksam));
  EXPECT_TRUE(at("rider1", kHongdae, 12).reaches(kGangnam));
  EXPECT_FALSE(at("rider1", kGangnam, 0.8).reaches(kYeoksam));
  EXPECT_TRUE(at("rider1", kGangnam, 0.84).reaches(kYeoksam));
  EXPECT_TRUE(at("rider1", kGangnam, 0.1).reaches(kGangnam));
}

TEST(RiderRadius, AreaAroundHoldsEveryPointOfTheCircle) {
  for (Point centre : {kGangnam, Point{0, 0}, Point{-33.86, 151.2}, Point{64.1, -21.9}, Point{89.99, 0},
                       Point{10, 179.99}}) {
    for (double radius : {0.1, 3.0, 20.0}) {
      auto area = rider::area_around(centre, radius);
      // Walk the circle's edge, just inside it.
      for (int step = 0; step < 360; step += 5) {
        double bearing = step * std::numbers::pi / 180, angle = radius * 0.999 / 6371.0088;
        double lat1 = centre.lat * std::numbers::pi / 180, lon1 = centre.lon * std::numbers::pi / 180;
        double lat2 =
            std::asin(std::sin(lat1) * std::cos(angle) + std::cos(lat1) * std::sin(angle) * std::cos(bearing));
        double lon2 = lon1 + std::atan2(std::sin(bearing) * std::sin(angle) * std::cos(lat1),
                                        std::cos(angle) - std::sin(lat1) * std::sin(lat2));
        Point edge{lat2 * 180 / std::numbers::pi, std::remainder(lon2 * 180 / std::numbers::pi, 360)};
        ASSERT_LE(rider::distance_km(centre, edge), radius);
        EXPECT_TRUE(edge.lat >= area.min_lat && edge.lat <= area.max_lat && edge.lon >= area.min_lon &&
                    edge.lon <= area.max_lon)
            << "centre " << centre.lat << "," << centre.lon << " radius " << radius << " bearing " << step;
      }
    }
  }
  auto seoul = rider::area_around(kGangnam, 3);
  EXPECT_LT(seoul.max_lat - seoul.min_lat, 0.06);  // narrow enough to be worth an index
  EXPECT_FALSE(kHongdae.lon >= seoul.min_lon && kHongdae.lon <= seoul.max_lon);
}

// --- location reports ----------------------------------------------------------------

rider::LocationReport report(const std::string& json) {
  return rider::parse_location_report(boost::json::parse(json).as_object());
}

TEST(RiderLocationReport, AcceptsLatLonAndAnOptionalRadius) {
  auto plain = report(R"({"lat":37.4979,"lon":127.0276})");
  EXPECT_DOUBLE_EQ(plain.at.lat, 37.4979);
  EXPECT_DOUBLE_EQ(plain.at.lon, 127.0276);
  EXPECT_FALSE(plain.radius_km);
  auto wide = report(R"({"lat":-90,"lon":180,"radiusKm":20})");
  EXPECT_EQ(wide.radius_km, 20);
  EXPECT_EQ(report(R"({"lat":90,"lon":-180,"radiusKm":0.1})").radius_km, 0.1);
}

TEST(RiderLocationReport, RefusesBadInputNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (auto [body, field] : std::initializer_list<Case>{
           {R"({"lon":127})", "lat"},
           {R"({"lat":37})", "lon"},
           {R"({"lat":"+37.5","lon":127})", "lat"},
           {R"({"lat":37.5,"lon":null})", "lon"},
           {R"({"lat":true,"lon":127})", "lat"},
           {R"({"lat":90.0001,"lon":127})", "lat"},
           {R"({"lat":-91,"lon":127})", "lat"},
           {R"({"lat":37,"lon":180.5})", "lon"},
           {R"({"lat":37,"lon":-181})", "lon"},
           {R"({"lat":1e999,"lon":127})", "lat"},
           {R"({"lat":37,"lon":127,"radiusKm":0.09})", "radiusKm"},
           {R"({"lat":37,"lon":127,"radiusKm":20.5})", "radiusKm"},
           {R"({"lat":37,"lon":127,"radiusKm":-3})", "radiusKm"},
           {R"({"lat":37,"lon":127,"radiusKm":" 3"})", "radiusKm"},
           {R"({"lat":37,"lon":127,"riderId":"rider2"})", "riderId"},
       }) {
    auto problem = problem_of([&] { report(body); });
    EXPECT_EQ(problem.status, 400) << body;
    EXPECT_NE(problem.detail.find(field), std::string::npos) << body << " → " << problem.detail;
  }
}

TEST(RiderLocationReport, KeepsTheRidersRadiusWhenAReportOmitsIt) {
  auto first = RiderPosition::reported("rider1", report(R"({"lat":37.4979,"lon":127.0276})"), std::nullopt, 3, 10);
  EXPECT_EQ(first.rider, "rider1");
  EXPECT_EQ(first.radius_km, 3);
  EXPECT_EQ(first.updated_at, 10);
  auto widened = RiderPosition::reported("rider1", report(R"({"lat":37.5,"lon":127,"radiusKm":5})"), first, 3, 20);
  EXPECT_EQ(widened.radius_km, 5);
  auto moved = RiderPosition::reported("rider1", report(R"({"lat":37.55,"lon":126.9})"), widened, 3, 30);
  EXPECT_EQ(moved.radius_km, 5);
  EXPECT_DOUBLE_EQ(moved.at.lat, 37.55);
  EXPECT_EQ(moved.updated_at, 30);
}

TEST(RiderLocationReport, TheDefaultRadiusSettingIsChecked) {
  EXPECT_EQ(rider::radius_setting("3"), 3);
  EXPECT_EQ(rider::radius_setting("0.5"), 0.5);
  for (const char* bad : {"", "abc", "3km", "0", "25", "nan", "inf", "-1"})
    EXPECT_THROW(rider::radius_setting(bad), std::invalid_argument) << bad;
}

// --- the delivery's state machine ----------------------------------------------------

TEST(DeliveryStateMachine, StatusWordsRoundTrip) {
  for (auto status : {DeliveryStatus::Open, DeliveryStatus::Assigned, DeliveryStatus::PickedUp,
                      DeliveryStatus::Delivered})
    EXPECT_EQ(rider::delivery_status_from(rider::to_string(status)), status);
  EXPECT_STREQ(rider::to_string(DeliveryStatus::PickedUp), "PICKED_UP");
  EXPECT_THROW(rider::delivery_status_from("LOST"), std::invalid_argument);
}

TEST(DeliveryStateMachine, OpensWhereTheKitchenSaysWhenItIsDone) {
  auto delivery = Delivery::open({.orderId = 7,
                                  .customerId = "customer1",
                                  .storeId = 1,
                                  .storeName = "교촌치킨 강남역점",
                                  .storeLat = kGangnam.lat,
                                  .storeLon = kGangnam.lon,
                                  .address = "서울 강남구 테헤란로 152",
                                  .lat = kYeoksam.lat,
                                  .lon = kYeoksam.lon},
                                 1000);
  auto expected = open_delivery();
  EXPECT_EQ(delivery.order_id, expected.order_id);
  EXPECT_EQ(delivery.customer, expected.customer);
  EXPECT_EQ(delivery.store_id, expected.store_id);
  EXPECT_EQ(delivery.store_name, expected.store_name);
  EXPECT_DOUBLE_EQ(delivery.store.lon, kGangnam.lon);
  EXPECT_EQ(delivery.address, expected.address);
  EXPECT_DOUBLE_EQ(delivery.destination.lat, kYeoksam.lat);
  EXPECT_EQ(delivery.status, DeliveryStatus::Open);
  EXPECT_TRUE(delivery.rider.empty());
  EXPECT_EQ(delivery.opened_at, 1000);
}

TEST(DeliveryStateMachine, IsOfferedOnlyToRidersNearTheCustomerWhileOpen) {
  auto delivery = open_delivery();
  EXPECT_TRUE(delivery.offered_to(at("rider1", kGangnam)));
  EXPECT_FALSE(delivery.offered_to(at("rider2", kHongdae)));
  EXPECT_TRUE(delivery.visible_to("rider1", at("rider1", kGangnam)));
  EXPECT_FALSE(delivery.visible_to("rider2", at("rider2", kHongdae)));
  EXPECT_FALSE(delivery.visible_to("rider2", std::nullopt));

  delivery.assign(at("rider1", kGangnam));
  EXPECT_FALSE(delivery.offered_to(at("rider2", kGangnam)));
  EXPECT_FALSE(delivery.visible_to("rider2", at("rider2", kGangnam)));
  // The holder still sees it wherever they are, even with no position at hand.
  EXPECT_TRUE(delivery.visible_to("rider1", at("rider1", kHongdae)));
  EXPECT_TRUE(delivery.visible_to("rider1", std::nullopt));
}

TEST(DeliveryStateMachine, AssignPickAndConfirmEmitTheirEvents) {
  auto delivery = open_delivery();
  auto assigned = delivery.assign(at("rider1", kGangnam));
  EXPECT_EQ(delivery.status, DeliveryStatus::Assigned);
  EXPECT_EQ(delivery.rider, "rider1");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].type, "DeliveryAssigned");
  EXPECT_EQ(assigned[0].body, (boost::json::object{{"orderId", 7},
                                                   {"customerId", "customer1"},
                                                   {"riderId", "rider1"},
                                                   {"storeId", 1},
                                                   {"status", "ASSIGNED"}}));
  EXPECT_EQ(assigned[0].order_id(), "7");
  // Keys in the order the service has always published them.
  EXPECT_EQ(boost::json::serialize(assigned[0].body),
            R"({"orderId":7,"customerId":"customer1","riderId":"rider1","storeId":1,"status":"ASSIGNED"})");

  auto picked = delivery.pick(at("rider1", kGangnam));
  EXPECT_EQ(delivery.status, DeliveryStatus::PickedUp);
  ASSERT_EQ(picked.size(), 1u);
  EXPECT_EQ(picked[0].type, "Picked");
  EXPECT_EQ(picked[0].body, (boost::json::object{{"orderId", 7},
                                                 {"customerId", "customer1"},
                                                 {"riderId", "rider1"},
                                                 {"status", "PICKED_UP"}}));
  EXPECT_EQ(boost::json::serialize(picked[0].body),
            R"({"orderId":7,"customerId":"customer1","riderId":"rider1","status":"PICKED_UP"})");

  // The order service publishes DeliveryConfirmed; the delivery only closes.
  EXPECT_TRUE(delivery.delivery_confirmed().empty());
  EXPECT_EQ(delivery.status, DeliveryStatus::Delivered);
  EXPECT_EQ(delivery.rider, "rider1");
}

TEST(DeliveryStateMachine, OnlyOneRiderTakesItAndTheOthersNoLongerSeeIt) {
  auto delivery = open_delivery();
  delivery.assign(at("rider1", kGangnam));
  auto second = problem_of([&] { delivery.assign(at("rider2", kYeoksam)); });
  EXPECT_EQ(second.status, 404);
  EXPECT_EQ(second.detail, rider::unseen(7).detail);
  auto again = problem_of([&] { delivery.assign(at("rider1", kGangnam)); });
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.detail.find("already assigned to you"), std::string::npos) << again.detail;
  EXPECT_EQ(delivery.rider, "rider1");
}

TEST(DeliveryStateMachine, ARiderBeyondTheRadiusDoesNotSeeItToTakeIt) {
  auto delivery = open_delivery();
  auto far = problem_of([&] { delivery.assign(at("rider2", kHongdae)); });
  EXPECT_EQ(far.status, 404);
  EXPECT_EQ(far.detail, "no delivery for order 7 near you or held by you");
  EXPECT_EQ(problem_of([&] { delivery.pick(at("rider2", kHongdae)); }).detail, far.detail);
  EXPECT_EQ(delivery.status, DeliveryStatus::Open);
  EXPECT_TRUE(delivery.rider.empty());
  EXPECT_EQ(delivery.assign(at("rider2", kHongdae, 12)).size(), 1u);  // a wide enough radius reaches it
}

TEST(DeliveryStateMachine, OnlyTheAssignedRiderPicksAndOnlyOnce) {
  auto delivery = open_delivery();
  auto early = problem_of([&] { delivery.pick(at("rider1", kGangnam)); });
  EXPECT_EQ(early.status, 409);
  EXPECT_NE(early.detail.find("PUT /deliveries/7/assign"), std::string::npos) << early.detail;

  delivery.assign(at("rider1", kGangnam));
  auto other = problem_of([&] { delivery.pick(at("rider2", kGangnam)); });
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.detail, rider::unseen(7).detail);
  EXPECT_EQ(delivery.status, DeliveryStatus::Assigned);

  delivery.pick(at("rider1", kHongdae));  // the holder picks it up wherever they report from
  EXPECT_EQ(problem_of([&] { delivery.pick(at("rider1", kGangnam)); }).status, 409);
  EXPECT_EQ(problem_of([&] { delivery.pick(at("rider2", kGangnam)); }).status, 404);
  delivery.delivery_confirmed();
  EXPECT_EQ(problem_of([&] { delivery.pick(at("rider1", kGangnam)); }).status, 409);
  EXPECT_EQ(problem_of([&] { delivery.pick(at("rider2", kGangnam)); }).status, 404);
  EXPECT_EQ(problem_of([&] { delivery.assign(at("rider2", kYeoksam)); }).status, 404);
  EXPECT_EQ(problem_of([&] { delivery.assign(at("rider1", kYeoksam)); }).status, 409);
}

TEST(DeliveryStateMachine, ConfirmationIsRefusedUnlessPickedUp) {
  auto delivery = open_delivery();
  EXPECT_EQ(problem_of([&] { delivery.delivery_confirmed(); }).status, 409);
  delivery.assign(at("rider1", kGangnam));
  auto assigned = problem_of([&] { delivery.delivery_confirmed(); });
  EXPECT_EQ(assigned.status, 409);
  EXPECT_NE(assigned.detail.find("ASSIGNED, not PICKED_UP"), std::string::npos) << assigned.detail;
  delivery.pick(at("rider1", kGangnam));
  delivery.delivery_confirmed();
  EXPECT_EQ(problem_of([&] { delivery.delivery_confirmed(); }).status, 409);
  EXPECT_EQ(delivery.status, DeliveryStatus::Delivered);
}

// --- the position of the rider carrying a delivery --------------------------------------

std::string retry_after(const platform::Problem& problem) {
  for (const auto& [name, value] : problem.headers)
    if (name == "Retry-After") return value;
  return "(none)";
}

TEST(DeliveryPositionReport, AcceptsLatAndLonOnly) {
  auto at = rider::parse_position_report(boost::json::parse(R"({"lat":37.5006,"lon":127.0364})").as_object());
  EXPECT_DOUBLE_EQ(at.lat, 37.5006);
  EXPECT_DOUBLE_EQ(at.lon, 127.0364);
  struct Case {
    const char* body;
    const char* field;
  };
  for (auto [body, field] : std::initializer_list<Case>{
           {R"({"lon":127})", "lat"},
           {R"({"lat":90.5,"lon":127})", "lat"},
           {R"({"lat":37,"lon":-180.5})", "lon"},
           {R"({"lat":37,"lon":"east"})", "lon"},
           {R"({"lat":37,"lon":127,"radiusKm":3})", "radiusKm"},
       }) {
    auto problem = problem_of([&] { rider::parse_position_report(boost::json::parse(body).as_object()); });
    EXPECT_EQ(problem.status, 400) << body;
    EXPECT_NE(problem.detail.find(field), std::string::npos) << body << " → " << problem.detail;
  }
}

TEST(DeliveryPositionReport, TheIntervalSettingIsWholeSecondsWithinAMinute) {
  EXPECT_EQ(rider::position_interval_setting("3"), 3);
  EXPECT_EQ(rider::position_interval_setting("60"), 60);
  for (const char* bad : {"", "0", "61", "2.5", "3s", "-1", " 3"})
    EXPECT_THROW(rider::position_interval_setting(bad), std::invalid_argument) << bad;
}

TEST(DeliveryStateMachine, TheRiderCarryingItReportsWhereTheyAreForTheCustomer) {
  auto delivery = open_delivery();
  delivery.assign(at("rider1", kGangnam));
  auto reported = delivery.report_position("rider1", std::nullopt, kGangnam, 10'000, 3'000);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].type, "RiderPositionReported");
  EXPECT_EQ(reported[0].body, (boost::json::object{{"orderId", 7},
                                                   {"customerId", "customer1"},
                                                   {"riderId", "rider1"},
                                                   {"lat", kGangnam.lat},
                                                   {"lon", kGangnam.lon},
                                                   {"timestamp", 10'000}}));  // no status: it moves none
  // The event happened when the position was taken: the customer's view shows that moment.
  ASSERT_TRUE(delivery.last_reported);
  EXPECT_EQ(delivery.last_reported->reported_at, 10'000);

  delivery.pick(at("rider1", kGangnam));
  EXPECT_EQ(delivery.report_position("rider1", std::nullopt, kYeoksam, 13'000, 3'000).size(), 1u);
  EXPECT_DOUBLE_EQ(delivery.last_reported->at.lat, kYeoksam.lat);
  EXPECT_EQ(delivery.last_reported->reported_at, 13'000);
}

TEST(DeliveryStateMachine, APositionSoonerThanTheIntervalIsRefusedWithWhenToTryAgain) {
  auto delivery = open_delivery();
  delivery.assign(at("rider1", kGangnam));
  delivery.report_position("rider1", std::nullopt, kGangnam, 10'000, 3'000);
  auto soon = problem_of([&] { delivery.report_position("rider1", std::nullopt, kYeoksam, 10'500, 3'000); });
  EXPECT_EQ(soon.status, 429);
  EXPECT_EQ(retry_after(soon), "3");  // 2.5 s, in whole seconds up
  EXPECT_NE(soon.detail.find("one position every 3 s"), std::string::npos) << soon.detail;
  EXPECT_EQ(retry_after(problem_of([&] { delivery.report_position("rider1", std::nullopt, kYeoksam, 12'999, 3'000); })),
            "1");
  // A clock set back does not make the rider wait longer than the interval.
  EXPECT_EQ(retry_after(problem_of([&] { delivery.report_position("rider1", std::nullopt, kYeoksam, 1'000, 3'000); })),
            "3");
  EXPECT_EQ(delivery.last_reported->reported_at, 10'000);  // nothing of the refused ones kept
  EXPECT_DOUBLE_EQ(delivery.last_reported->at.lat, kGangnam.lat);
  EXPECT_EQ(delivery.report_position("rider1", std::nullopt, kYeoksam, 13'000, 3'000).size(), 1u);
}

TEST(DeliveryStateMachine, OnlyTheRiderHoldingItReportsItsPositionAndOnlyUntilDelivered) {
  auto delivery = open_delivery();
  // Offered to rider1, not theirs: forbidden; to a rider who does not see it, as if it did not exist.
  EXPECT_EQ(problem_of([&] { delivery.report_position("rider1", at("rider1", kGangnam), kGangnam, 1, 3'000); }).status,
            403);
  auto unseen = problem_of([&] { delivery.report_position("rider2", at("rider2", kHongdae), kHongdae, 1, 3'000); });
  EXPECT_EQ(unseen.status, 404);
  EXPECT_EQ(unseen.detail, rider::unseen(7).detail);

  delivery.assign(at("rider1", kGangnam));
  EXPECT_EQ(problem_of([&] { delivery.report_position("rider2", at("rider2", kGangnam), kGangnam, 1, 3'000); }).status,
            404);
  delivery.pick(at("rider1", kGangnam));
  delivery.delivery_confirmed();
  auto after = problem_of([&] { delivery.report_position("rider1", std::nullopt, kYeoksam, 100'000, 3'000); });
  EXPECT_EQ(after.status, 409);
  EXPECT_NE(after.detail.find("DELIVERED"), std::string::npos) << after.detail;
  EXPECT_FALSE(delivery.last_reported);
}

}  // namespace
