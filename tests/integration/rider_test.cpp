// R7, R8, R11 on the rider's side, through the real gateway, rider service and nats-server:
// a cooked order opens a delivery that only riders near the customer see, exactly one of
// two riders taking it at once wins, only the winner picks it up, and the customer's
// confirmation closes it. The store's CookFinished and the order's DeliveryConfirmed are
// published straight into JetStream here, standing in for their producers.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <map>
#include <optional>
#include <thread>

#include "support/api.hpp"
#include "support/platform_fixture.hpp"
#include "support/publish.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::Reply;
using fd::test::TestPlatform;

struct Place {
  double lat;
  double lon;
};
constexpr Place kGangnam{37.4979, 127.0276};  // 강남역, store 1; 0.83 km from the customer
constexpr Place kYeoksam{37.5006, 127.0364};  // 역삼역, the customer
constexpr Place kHongdae{37.5563, 126.9236};  // 홍대입구, 11.7 km from the customer

Reply put(Api& api, const std::string& target, const std::string& body = {}) { return api.call("PUT", target, body); }

Reply report(Api& api, Place where, std::optional<double> radius_km = std::nullopt) {
  boost::json::object body{{"lat", where.lat}, {"lon", where.lon}};
  if (radius_km) body["radiusKm"] = *radius_km;
  return put(api, "/riders/me/location", boost::json::serialize(body));
}

// Whether the order's delivery is among the offers near the rider (GET /deliveries), or with
// `from` GET /riders/me/deliveries, among those the rider holds.
std::optional<boost::json::object> listed(Api& api, std::int64_t order_id, const char* from = "/deliveries") {
  auto reply = api.get(from);
  if (reply.status != 200) return std::nullopt;
  for (const auto& item : reply.body.at("_embedded").at("deliveries").as_array())
    if (item.at("orderId").as_int64() == order_id) return item.as_object();
  return std::nullopt;
}

std::string status_of(Api& api, std::int64_t order_id) {
  auto reply = api.get("/deliveries/" + std::to_string(order_id));
  if (reply.status != 200) return "HTTP " + std::to_string(reply.status);
  return std::string(reply.body.at("status").as_string());
}

bool has_link(const boost::json::value& delivery, const char* rel) {
  return delivery.at("_links").as_object().contains(rel);
}

class RiderDeliveries : public ::testing::Test {
 protected:
  // Several HTTP threads, so that two riders' commands really reach the service at once.
  TestPlatform platform{{"FD_HTTP_THREADS", "4"}};
  Api rider1{platform.gateway_port()};
  Api rider2{platform.gateway_port()};

  void SetUp() override {
    rider1.login("rider1");
    rider2.login("rider2");
  }

  // What the store publishes when the kitchen is done: customer1 at 역삼역, store 1 at 강남역.
  void cook_finished(std::int64_t order_id) {
    fd::test::publish_event(platform.nats_url(), "CookFinished",
                            {{"orderId", order_id},
                             {"customerId", "customer1"},
                             {"storeId", 1},
                             {"storeName", "교촌치킨 강남역점"},
                             {"storeLat", kGangnam.lat},
                             {"storeLon", kGangnam.lon},
                             {"address", "서울 강남구 테헤란로 152"},
                             {"lat", kYeoksam.lat},
                             {"lon", kYeoksam.lon},
                             {"status", "COOKED"}});
  }

  void delivery_confirmed(std::int64_t order_id, const std::string& rider) {
    fd::test::publish_event(platform.nats_url(), "DeliveryConfirmed",
                            {{"orderId", order_id}, {"customerId", "customer1"}, {"storeId", 1}, {"riderId", rider},
                             {"status", "DELIVERED"}});
  }

  bool caught_up() {
    return eventually([&] { return fd::test::consumer_caught_up(platform.nats_url(), "rider"); });
  }

  int events(const char* type, std::int64_t order_id) {
    return fd::test::count_events(platform::read_stream(platform.nats_url()), type, order_id);
  }
};

TEST_F(RiderDeliveries, RidersNearTheCustomerSeeTheDeliveryAndFarOnesDoNot) {
  ASSERT_EQ(report(rider1, kGangnam).status, 200);
  auto far = report(rider2, kHongdae);
  ASSERT_EQ(far.status, 200) << far.raw;
  EXPECT_EQ(far.body.at("radiusKm").to_number<double>(), 3);  // the platform's default
  EXPECT_EQ(far.body.at("riderId").as_string(), "rider2");

  cook_finished(101);
  ASSERT_TRUE(eventually([&] { return listed(rider1, 101).has_value(); }));
  auto delivery = *listed(rider1, 101);
  EXPECT_EQ(delivery.at("status").as_string(), "OPEN");
  EXPECT_EQ(delivery.at("storeId").as_int64(), 1);
  EXPECT_EQ(delivery.at("storeName").as_string(), "교촌치킨 강남역점");
  EXPECT_EQ(delivery.at("address").as_string(), "서울 강남구 테헤란로 152");
  EXPECT_DOUBLE_EQ(delivery.at("storeLat").to_number<double>(), kGangnam.lat);
  EXPECT_DOUBLE_EQ(delivery.at("lon").to_number<double>(), kYeoksam.lon);
  EXPECT_NEAR(delivery.at("distanceKm").to_number<double>(), 0.83, 0.01);
  EXPECT_FALSE(delivery.contains("riderId"));
  EXPECT_TRUE(delivery.at("openedAt").is_string());
  EXPECT_EQ(delivery.at("_links").at("self").at("href").as_string(), "/deliveries/101");
  EXPECT_EQ(delivery.at("_links").at("assign").at("href").as_string(), "/deliveries/101/assign");
  EXPECT_FALSE(has_link(delivery, "pick"));
  EXPECT_EQ(status_of(rider1, 101), "OPEN");

  // 홍대 is 11.7 km away: beyond the default 3 km.
  EXPECT_FALSE(listed(rider2, 101).has_value());
  auto hidden = rider2.get("/deliveries/101");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(hidden.content_type, "application/problem+json");
  // Nor can they take it: they hear what they would of an order id with no delivery.
  auto refused = put(rider2, "/deliveries/101/assign");
  EXPECT_EQ(refused.status, 404) << refused.raw;
  EXPECT_EQ(refused.content_type, "application/problem+json");
  auto none = put(rider2, "/deliveries/999101/assign");
  ASSERT_EQ(none.status, 404) << none.raw;
  EXPECT_EQ(refused.detail(), "no delivery for order 101 near you or held by you") << refused.raw;
  EXPECT_EQ(none.detail(), "no delivery for order 999101 near you or held by you") << none.raw;
  EXPECT_EQ(put(rider2, "/deliveries/101/pick").status, 404);
  EXPECT_EQ(status_of(rider1, 101), "OPEN");

  // A wider radius reaches it, and a later report without radiusKm keeps that radius.
  auto wide = report(rider2, kHongdae, 12);
  ASSERT_EQ(wide.status, 200) << wide.raw;
  EXPECT_EQ(wide.body.at("radiusKm").to_number<double>(), 12);
  ASSERT_TRUE(listed(rider2, 101).has_value());
  EXPECT_NEAR(listed(rider2, 101)->at("distanceKm").as_double(), 11.72, 0.02);
  ASSERT_EQ(report(rider2, kYeoksam).status, 200);
  auto kept = rider2.get("/riders/me/location");
  ASSERT_EQ(kept.status, 200);
  EXPECT_EQ(kept.body.at("radiusKm").to_number<double>(), 12);
  EXPECT_DOUBLE_EQ(kept.body.at("lat").to_number<double>(), kYeoksam.lat);
}

TEST_F(RiderDeliveries, OfTwoRidersTakingItAtOnceExactlyOneWinsAndOnlyTheWinnerPicksItUp) {
  ASSERT_EQ(report(rider1, kGangnam).status, 200);
  ASSERT_EQ(report(rider2, kYeoksam).status, 200);
  const std::vector<std::int64_t> orders{201, 202, 203, 204, 205};
  for (auto id : orders) cook_finished(id);
  ASSERT_TRUE(eventually([&] { return listed(rider1, orders.back()) && listed(rider2, orders.back()); }));

  std::map<std::int64_t, std::string> winner_of;
  for (auto id : orders) {
    auto target = "/deliveries/" + std::to_string(id) + "/assign";
    std::latch start(2);
    Reply first, second;
    std::thread a([&] { start.arrive_and_wait(); first = put(rider1, target); });
    std::thread b([&] { start.arrive_and_wait(); second = put(rider2, target); });
    a.join();
    b.join();
    std::vector<int> statuses{first.status, second.status};
    std::sort(statuses.begin(), statuses.end());
    // The loser reads it held by the winner: no longer theirs to see, like any other's.
    ASSERT_EQ(statuses, (std::vector<int>{200, 404})) << first.raw << "\n" << second.raw;
    auto& won = first.status == 200 ? first : second;
    auto& lost = first.status == 200 ? second : first;
    winner_of[id] = first.status == 200 ? "rider1" : "rider2";
    EXPECT_EQ(won.body.at("status").as_string(), "ASSIGNED");
    EXPECT_EQ(won.body.at("riderId").as_string(), winner_of[id]);
    EXPECT_TRUE(has_link(won.body, "pick"));
    EXPECT_FALSE(has_link(won.body, "assign"));
    EXPECT_EQ(lost.content_type, "application/problem+json");
    EXPECT_EQ(lost.detail(), "no delivery for order " + std::to_string(id) + " near you or held by you") << lost.raw;
  }
  ASSERT_TRUE(eventually([&] {
    auto stored = platform::read_stream(platform.nats_url());
    return std::all_of(orders.begin(), orders.end(),
                       [&](auto id) { return fd::test::count_events(stored, "DeliveryAssigned", id) == 1; });
  }));
  for (const auto& event : platform::read_stream(platform.nats_url()))
    if (event.type == "DeliveryAssigned") {
      auto id = event.body.at("orderId").as_int64();
      EXPECT_EQ(event.body.at("riderId").as_string(), winner_of[id]);
      EXPECT_EQ(event.body.at("customerId").as_string(), "customer1");
      EXPECT_EQ(event.body.at("storeId").as_int64(), 1);
      EXPECT_EQ(event.body.at("status").as_string(), "ASSIGNED");
    }

  auto id = orders.front();
  auto& winner = winner_of[id] == "rider1" ? rider1 : rider2;
  auto& loser = winner_of[id] == "rider1" ? rider2 : rider1;
  auto path = "/deliveries/" + std::to_string(id);
  // The loser no longer sees it, and cannot pick it up.
  EXPECT_FALSE(listed(loser, id).has_value());
  EXPECT_EQ(loser.get(path).status, 404);
  auto stolen = put(loser, path + "/pick");
  EXPECT_EQ(stolen.status, 404) << stolen.raw;
  EXPECT_EQ(stolen.content_type, "application/problem+json");
  EXPECT_EQ(status_of(winner, id), "ASSIGNED");

  auto picked = put(winner, path + "/pick");
  ASSERT_EQ(picked.status, 200) << picked.raw;
  EXPECT_EQ(picked.body.at("status").as_string(), "PICKED_UP");
  EXPECT_FALSE(has_link(picked.body, "pick"));
  EXPECT_EQ(put(winner, path + "/pick").status, 409);
  ASSERT_TRUE(eventually([&] { return events("Picked", id) == 1; }));
  for (const auto& event : platform::read_stream(platform.nats_url()))
    if (event.type == "Picked") {
      EXPECT_EQ(event.body.at("riderId").as_string(), winner_of[id]);
      EXPECT_EQ(event.body.at("customerId").as_string(), "customer1");
      EXPECT_EQ(event.body.at("status").as_string(), "PICKED_UP");
    }
  EXPECT_FALSE(listed(winner, id).has_value());  // no longer an offer: one of the winner's own
  ASSERT_TRUE(listed(winner, id, "/riders/me/deliveries").has_value());

  // A CookFinished delivered again opens nothing new; a confirmation before the pick-up is ignored.
  cook_finished(id);
  auto unpicked = orders.back();
  delivery_confirmed(unpicked, winner_of[unpicked]);
  ASSERT_TRUE(caught_up());
  EXPECT_EQ(status_of(winner, id), "PICKED_UP");
  EXPECT_EQ(status_of(winner_of[unpicked] == "rider1" ? rider1 : rider2, unpicked), "ASSIGNED");

  delivery_confirmed(id, winner_of[id]);
  ASSERT_TRUE(eventually([&] { return status_of(winner, id) == "DELIVERED"; })) << status_of(winner, id);
  EXPECT_FALSE(listed(winner, id, "/riders/me/deliveries").has_value());
  EXPECT_EQ(put(winner, path + "/pick").status, 409);
  EXPECT_EQ(events("DeliveryAssigned", id), 1);
  EXPECT_EQ(events("Picked", id), 1);
}

TEST_F(RiderDeliveries, OnlyRidersWithAReportedPositionAndAValidReport) {
  Api customer(platform.gateway_port()), owner(platform.gateway_port()), anonymous(platform.gateway_port());
  customer.login("customer1");
  owner.login("owner1");
  for (auto* api : {&customer, &owner}) {
    for (const auto* target : {"/deliveries", "/deliveries/1", "/riders/me/location"}) {
      auto reply = api->get(target);
      EXPECT_EQ(reply.status, 403) << target << ": " << reply.raw;
      EXPECT_EQ(reply.content_type, "application/problem+json") << target;
    }
    EXPECT_EQ(report(*api, kGangnam).status, 403);
    EXPECT_EQ(put(*api, "/deliveries/1/assign").status, 403);
  }
  EXPECT_EQ(anonymous.get("/deliveries").status, 401);
  EXPECT_EQ(report(anonymous, kGangnam).status, 401);

  // Nothing is shown before the rider says where they are.
  auto unplaced = rider1.get("/deliveries");
  EXPECT_EQ(unplaced.status, 409) << unplaced.raw;
  EXPECT_EQ(unplaced.content_type, "application/problem+json");
  EXPECT_NE(unplaced.detail().find("PUT /riders/me/location"), std::string::npos) << unplaced.raw;
  EXPECT_EQ(rider1.get("/riders/me/location").status, 404);
  cook_finished(301);
  ASSERT_TRUE(caught_up());
  auto blind = put(rider1, "/deliveries/301/assign");
  EXPECT_EQ(blind.status, 409) << blind.raw;
  EXPECT_NE(blind.detail().find("PUT /riders/me/location"), std::string::npos) << blind.raw;
  // The same for an order id with no delivery: the answer does not tell which ids exist.
  auto nothing = put(rider1, "/deliveries/999301/assign");
  EXPECT_EQ(nothing.status, 409) << nothing.raw;
  EXPECT_EQ(nothing.detail(), blind.detail());

  struct Case {
    const char* name;
    std::string body;
    const char* field;  // the detail names it
  };
  std::vector<Case> cases = {
      {"empty body", "", "body"},
      {"malformed JSON", R"({"lat":37.5,)", "JSON"},
      {"not an object", "[37.5,127]", "object"},
      {"lat missing", R"({"lon":127})", "lat"},
      {"lat a string that is no number", R"({"lat":"37,5","lon":127})", "lat"},
      {"lat over 90", R"({"lat":91,"lon":127})", "lat"},
      {"lon under -180", R"({"lat":37.5,"lon":-180.01})", "lon"},
      {"lat infinite", R"({"lat":1e999,"lon":127})", "lat"},
      {"radius too small", R"({"lat":37.5,"lon":127,"radiusKm":0.05})", "radiusKm"},
      {"radius too large", R"({"lat":37.5,"lon":127,"radiusKm":21})", "radiusKm"},
      {"unknown field", R"({"lat":37.5,"lon":127,"rider":"rider2"})", "rider"},
  };
  for (const auto& c : cases) {
    auto reply = put(rider1, "/riders/me/location", c.body);
    EXPECT_EQ(reply.status, 400) << c.name << ": " << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json") << c.name;
    EXPECT_NE(reply.detail().find(c.field), std::string::npos) << c.name << ": " << reply.raw;
  }
  EXPECT_EQ(rider1.get("/riders/me/location").status, 404);  // nothing was stored

  ASSERT_EQ(report(rider1, kGangnam, 0.5).status, 200);
  auto shown = rider1.get("/deliveries");
  ASSERT_EQ(shown.status, 200) << shown.raw;
  EXPECT_TRUE(shown.body.at("_embedded").at("deliveries").as_array().empty());  // 0.83 km > 0.5 km
  EXPECT_EQ(rider1.get("/deliveries/301").status, 404);
  EXPECT_EQ(rider1.get("/deliveries/999").status, 404);
  EXPECT_EQ(put(rider1, "/deliveries/999/assign").status, 404);
  EXPECT_EQ(put(rider1, "/deliveries/301/assign").status, 404);  // beyond the radius: not to be seen
  // Not an id at all, or one spelled otherwise than as itself: bad input, whoever asks.
  EXPECT_EQ(rider1.get("/deliveries/abc").status, 400);
  EXPECT_EQ(put(rider1, "/deliveries/0301/assign").status, 400);
}

}  // namespace
