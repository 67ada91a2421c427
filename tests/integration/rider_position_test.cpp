// Issue 16, items 4 and 5, through the gateway and every real service: the rider's own
// deliveries are listed whether or not a position was reported (only the nearby offers need
// one), and the position the rider carrying an order reports reaches the customer's status
// view by event while the order is on its way, and no longer once it is delivered.
#include <gtest/gtest.h>

#include <optional>

#include "support/api.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::Reply;

struct Place {
  double lat;
  double lon;
};
constexpr Place kGangnam{37.4979, 127.0276};   // 강남역, store 1
constexpr Place kHalfway{37.4992, 127.0320};   // on the way to the customer
constexpr Place kYeoksam{37.5006, 127.0364};   // 역삼역, where fd::test::order_request delivers

std::string position_body(Place at) {
  return boost::json::serialize(boost::json::object{{"lat", at.lat}, {"lon", at.lon}});
}

std::string status_of(Api& api, const std::string& target) {
  auto reply = api.get(target);
  if (reply.status != 200) return "HTTP " + std::to_string(reply.status);
  return std::string(reply.body.at("status").as_string());
}

const boost::json::array& items_of(const Reply& reply) {
  return reply.body.at("_embedded").at("deliveries").as_array();
}

bool lists(const Reply& reply, std::int64_t order_id) {
  if (reply.status != 200) return false;
  for (const auto& item : items_of(reply))
    if (item.at("orderId").as_int64() == order_id) return true;
  return false;
}

// The customer's view's riderPosition: nullopt while it is null (or the view unreadable).
std::optional<boost::json::object> rider_position_in_view(Api& customer, std::int64_t order_id) {
  auto reply = customer.get("/orderStatuses/" + std::to_string(order_id));
  if (reply.status != 200 || !reply.body.at("riderPosition").is_object()) return std::nullopt;
  return reply.body.at("riderPosition").as_object();
}

bool shows_rider_at(Api& customer, std::int64_t order_id, Place at) {
  auto position = rider_position_in_view(customer, order_id);
  return position && position->at("lat").to_number<double>() == at.lat &&
         position->at("lon").to_number<double>() == at.lon;
}

// customer1 orders from store 1, the owner cooks it, rider1 (near the store) takes it.
class RiderOnTheWay : public fd::test::CustomerAndOwner {
 protected:
  explicit RiderOnTheWay(const char* interval_s) : CustomerAndOwner({{"FD_RIDER_POSITION_INTERVAL_S", interval_s}}) {}

  Api rider1{platform.gateway_port()};
  Api rider2{platform.gateway_port()};

  void SetUp() override {
    CustomerAndOwner::SetUp();
    rider1.login("rider1");
    rider2.login("rider2");
  }

  std::int64_t cooked_order() {
    auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
    EXPECT_EQ(placed.status, 201) << placed.raw;
    auto id = placed.body.at("orderId").as_int64();
    auto cooking = "/foodCookings/" + std::to_string(id);
    EXPECT_TRUE(eventually([&] { return status_of(owner, cooking) == "REQUESTED"; }));
    for (const char* command : {"accept", "start", "finish"})
      EXPECT_EQ(owner.call("PUT", cooking + "/" + command).status, 200) << command;
    return id;
  }

  Reply report(Api& rider, std::int64_t order_id, Place at) {
    return rider.call("PUT", "/deliveries/" + std::to_string(order_id) + "/position", position_body(at));
  }

  // rider1 near the store sees the cooked order and takes it.
  std::int64_t taken_order() {
    EXPECT_EQ(rider1.call("PUT", "/riders/me/location", position_body(kGangnam)).status, 200);
    auto id = cooked_order();
    EXPECT_TRUE(eventually([&] { return lists(rider1.get("/deliveries"), id); }));
    auto taken = rider1.call("PUT", "/deliveries/" + std::to_string(id) + "/assign");
    EXPECT_EQ(taken.status, 200) << taken.raw;
    return id;
  }

  int events(const char* type, std::int64_t order_id) {
    return fd::test::count_events(platform::read_stream(platform.bus_url()), type, order_id);
  }
};

// A one-second interval, so that a test sees the rider move without waiting long.
class RiderLists : public RiderOnTheWay {
 protected:
  RiderLists() : RiderOnTheWay("1") {}
};

// A minute: a second report in the same test is always too soon, however slow the machine.
class RiderPositionRefusals : public RiderOnTheWay {
 protected:
  RiderPositionRefusals() : RiderOnTheWay("60") {}
};

TEST_F(RiderLists, TheRidersOwnDeliveriesNeedNoPositionOnlyTheOffersDo) {
  // A rider who has said nowhere yet: their own list answers, the offers ask for a position.
  auto mine = rider1.get("/riders/me/deliveries");
  ASSERT_EQ(mine.status, 200) << mine.raw;
  EXPECT_TRUE(items_of(mine).empty());
  EXPECT_EQ(mine.body.at("page").at("totalElements").as_int64(), 0);
  EXPECT_EQ(mine.body.at("_links").at("self").at("href").as_string(), "/riders/me/deliveries?page=0&size=100");
  auto offers = rider1.get("/deliveries");
  EXPECT_EQ(offers.status, 409) << offers.raw;
  EXPECT_EQ(offers.content_type, "application/problem+json");
  EXPECT_NE(offers.detail().find("GET /riders/me/deliveries"), std::string::npos) << offers.raw;

  auto id = taken_order();
  // Taken, it leaves the offers and is the rider's own, with what they may do next.
  EXPECT_FALSE(lists(rider1.get("/deliveries"), id));
  mine = rider1.get("/riders/me/deliveries");
  ASSERT_TRUE(lists(mine, id)) << mine.raw;
  const auto& held = items_of(mine)[0].as_object();
  EXPECT_EQ(held.at("status").as_string(), "ASSIGNED");
  EXPECT_EQ(held.at("riderId").as_string(), "rider1");
  auto self = "/deliveries/" + std::to_string(id);
  EXPECT_EQ(held.at("_links").at("pick").at("href").as_string(), self + "/pick");
  EXPECT_EQ(held.at("_links").at("position").at("href").as_string(), self + "/position");
  EXPECT_FALSE(held.at("_links").as_object().contains("assign"));
  EXPECT_FALSE(lists(rider2.get("/riders/me/deliveries"), id));  // another rider's own list

  // Paged as every collection: a page past the end is empty with the true total; its order is fixed.
  auto past = rider1.get("/riders/me/deliveries?page=1&size=1");
  ASSERT_EQ(past.status, 200) << past.raw;
  EXPECT_TRUE(items_of(past).empty());
  EXPECT_EQ(past.body.at("page").at("totalElements").as_int64(), 1);
  EXPECT_EQ(rider1.get("/riders/me/deliveries?sort=orderId,desc").status, 400);
  for (auto* other : {&customer, &owner}) EXPECT_EQ(other->get("/riders/me/deliveries").status, 403);
  Api anonymous(platform.gateway_port());
  EXPECT_EQ(anonymous.get("/riders/me/deliveries").status, 401);

  // Picked up, still theirs; delivered, no longer.
  ASSERT_EQ(rider1.call("PUT", self + "/pick").status, 200);
  EXPECT_EQ(items_of(rider1.get("/riders/me/deliveries"))[0].at("status").as_string(), "PICKED_UP");
  ASSERT_TRUE(eventually([&] { return status_of(customer, "/orders/" + std::to_string(id)) == "PICKED_UP"; }));
  ASSERT_EQ(customer.call("PUT", "/orders/" + std::to_string(id) + "/deliveryconfirm").status, 200);
  EXPECT_TRUE(eventually([&] { return !lists(rider1.get("/riders/me/deliveries"), id); }));
}

TEST_F(RiderLists, TheCarryingRidersPositionReachesTheCustomersViewUntilDelivered) {
  auto id = taken_order();
  auto view = "/orderStatuses/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return status_of(customer, view) == "RIDER_ASSIGNED"; }));
  EXPECT_TRUE(customer.get(view).body.at("riderPosition").is_null());

  // On the way to the store.
  auto reported = report(rider1, id, kGangnam);
  ASSERT_EQ(reported.status, 200) << reported.raw;
  EXPECT_EQ(reported.body.at("riderPosition").at("lat").to_number<double>(), kGangnam.lat);
  EXPECT_TRUE(reported.body.at("riderPosition").at("reportedAt").is_string());
  ASSERT_TRUE(eventually([&] { return shows_rider_at(customer, id, kGangnam); }));
  auto shown = *rider_position_in_view(customer, id);
  EXPECT_TRUE(shown.at("reportedAt").is_string());
  EXPECT_EQ(shown.at("reportedAt"), reported.body.at("riderPosition").at("reportedAt"));

  // Picked up and moving: once the interval has passed, the next report is taken.
  ASSERT_EQ(rider1.call("PUT", "/deliveries/" + std::to_string(id) + "/pick").status, 200);
  ASSERT_TRUE(eventually([&] { return report(rider1, id, kHalfway).status == 200; }));
  ASSERT_TRUE(eventually([&] { return shows_rider_at(customer, id, kHalfway); }));
  ASSERT_TRUE(eventually([&] { return status_of(customer, view) == "PICKED_UP"; }));
  EXPECT_TRUE(shows_rider_at(customer, id, kHalfway));
  // The positions are no steps of the order's life.
  auto on_the_way = customer.get(view);
  for (const auto& step : on_the_way.body.at("timeline").as_array())
    EXPECT_NE(step.at("eventType").as_string(), "RiderPositionReported");

  // Delivered: the view no longer shows where the rider is, and the rider reports no more.
  ASSERT_TRUE(eventually([&] { return status_of(customer, "/orders/" + std::to_string(id)) == "PICKED_UP"; }));
  ASSERT_EQ(customer.call("PUT", "/orders/" + std::to_string(id) + "/deliveryconfirm").status, 200);
  ASSERT_TRUE(eventually([&] { return status_of(customer, view) == "DELIVERED"; }));
  EXPECT_TRUE(customer.get(view).body.at("riderPosition").is_null());
  ASSERT_TRUE(eventually([&] { return status_of(rider1, "/deliveries/" + std::to_string(id)) == "DELIVERED"; }));
  auto late = report(rider1, id, kYeoksam);
  EXPECT_EQ(late.status, 409) << late.raw;
  EXPECT_EQ(late.content_type, "application/problem+json");
  // One event per accepted report, for the customer service.
  EXPECT_EQ(events("RiderPositionReported", id), 2);
  for (const auto& event : platform::read_stream(platform.bus_url()))
    if (event.type == "RiderPositionReported" && event.body.at("orderId").as_int64() == id) {
      EXPECT_EQ(event.body.at("customerId").as_string(), "customer1");
      EXPECT_EQ(event.body.at("riderId").as_string(), "rider1");
      EXPECT_FALSE(event.body.contains("status"));
    }
}

TEST_F(RiderPositionRefusals, OnlyTheHoldingRiderWithGoodCoordinatesAndNotTooOften) {
  ASSERT_EQ(rider2.call("PUT", "/riders/me/location", position_body(kYeoksam)).status, 200);
  auto id = cooked_order();
  ASSERT_TRUE(eventually([&] { return lists(rider2.get("/deliveries"), id); }));
  // Offered to rider2 but not theirs: forbidden, and nothing published.
  auto offered = report(rider2, id, kYeoksam);
  EXPECT_EQ(offered.status, 403) << offered.raw;
  EXPECT_EQ(offered.content_type, "application/problem+json");

  ASSERT_EQ(rider1.call("PUT", "/riders/me/location", position_body(kGangnam)).status, 200);
  ASSERT_EQ(rider1.call("PUT", "/deliveries/" + std::to_string(id) + "/assign").status, 200);
  // Another rider's delivery is, to rider2, like one that does not exist.
  auto others = report(rider2, id, kYeoksam);
  EXPECT_EQ(others.status, 404) << others.raw;
  EXPECT_EQ(others.detail(), "no delivery for order " + std::to_string(id) + " near you or held by you");
  auto unknown = report(rider2, 999999, kYeoksam);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.detail(), "no delivery for order 999999 near you or held by you");
  for (auto* other : {&customer, &owner}) EXPECT_EQ(report(*other, id, kYeoksam).status, 403);
  Api anonymous(platform.gateway_port());
  EXPECT_EQ(report(anonymous, id, kYeoksam).status, 401);

  struct Case {
    const char* name;
    std::string body;
    const char* field;  // the detail names it
  };
  for (const auto& c : std::vector<Case>{{"lat over 90", R"({"lat":90.1,"lon":127})", "lat"},
                                         {"lon missing", R"({"lat":37.5})", "lon"},
                                         {"lon a word", R"({"lat":37.5,"lon":"east"})", "lon"},
                                         {"a radius, which is the offers'", R"({"lat":37.5,"lon":127,"radiusKm":3})",
                                          "radiusKm"},
                                         {"not JSON", "37.5,127", "JSON"}}) {
    auto bad = rider1.call("PUT", "/deliveries/" + std::to_string(id) + "/position", c.body);
    EXPECT_EQ(bad.status, 400) << c.name << ": " << bad.raw;
    EXPECT_EQ(bad.content_type, "application/problem+json") << c.name;
    EXPECT_NE(bad.detail().find(c.field), std::string::npos) << c.name << ": " << bad.raw;
  }

  // The first report is taken; the next within the interval is refused with when to try again.
  ASSERT_EQ(report(rider1, id, kGangnam).status, 200);
  auto soon = report(rider1, id, kHalfway);
  EXPECT_EQ(soon.status, 429) << soon.raw;
  EXPECT_EQ(soon.content_type, "application/problem+json");
  auto wait = std::stoi(soon.header("Retry-After"));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 60);
  EXPECT_NE(soon.detail().find("one position every 60 s"), std::string::npos) << soon.raw;

  // Of all those, only the one taken reached the bus and the customer's view.
  ASSERT_TRUE(eventually([&] { return shows_rider_at(customer, id, kGangnam); }));
  ASSERT_TRUE(eventually([&] { return fd::test::consumer_caught_up(platform.bus_url(), "customer"); }));
  EXPECT_TRUE(shows_rider_at(customer, id, kGangnam));
  EXPECT_EQ(events("RiderPositionReported", id), 1);
}

}  // namespace
