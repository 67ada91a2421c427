// The whole journey through the gateway, as the seeds tell it: order → paid → accepted →
// cooking → cooked → offered to a nearby rider and not to a far one → assigned → picked →
// confirmed → settled → reviewed → the owner reads the review. Every step is checked in
// the read model (C2) and in the KakaoTalk notifications: exactly one per status change.
#include <gtest/gtest.h>

#include <set>

#include "support/api.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;

std::string status_of(Api& api, const std::string& target) {
  auto reply = api.get(target);
  if (reply.status != 200) return "HTTP " + std::to_string(reply.status);
  return std::string(reply.body.at("status").as_string());
}

// The statuses the customer has been told about for this order, one entry per message.
std::vector<std::string> messages_for(Api& customer, std::int64_t order_id) {
  std::vector<std::string> statuses;
  auto reply = customer.get("/notifications");
  if (reply.status != 200) return statuses;
  for (const auto& item : reply.body.at("_embedded").at("notifications").as_array())
    if (item.at("orderId").as_int64() == order_id) statuses.emplace_back(item.at("status").as_string());
  std::sort(statuses.begin(), statuses.end());
  return statuses;
}

bool has_delivery(Api& rider, std::int64_t order_id) {
  auto reply = rider.get("/deliveries");
  if (reply.status != 200) return false;
  for (const auto& item : reply.body.at("_embedded").at("deliveries").as_array())
    if (item.at("orderId").as_int64() == order_id) return true;
  return false;
}

// On JetStream and on Kafka.
class Journey : public ::testing::Test, public fd::test::OnEachBus {};
FD_INSTANTIATE_ON_EACH_BUS(Journey);

TEST_P(Journey, FromOrderToReviewEveryStepSeenAndToldOnce) {
  fd::test::TestPlatform platform(bus_env());
  Api customer(platform.gateway_port()), owner(platform.gateway_port()), near(platform.gateway_port()),
      far(platform.gateway_port());
  customer.login("customer1");
  owner.login("owner1");
  near.login("rider1");
  far.login("rider2");
  ASSERT_EQ(near.call("PUT", "/riders/me/location", R"({"lat":37.4985,"lon":127.0300})").status, 200);  // 강남역
  ASSERT_EQ(far.call("PUT", "/riders/me/location", R"({"lat":37.5563,"lon":126.9236})").status, 200);   // 홍대

  auto placed = customer.post("/orders", {{"storeId", 1},
                                          {"items", {{{"menuId", 101}, {"qty", 1}}, {{"menuId", 104}, {"qty", 2}}}},
                                          {"address", "서울 강남구 테헤란로 152"},
                                          {"lat", 37.5006},
                                          {"lon", 127.0364}});
  ASSERT_EQ(placed.status, 201) << placed.raw;
  auto id = placed.body.at("orderId").as_int64();
  auto order = "/orders/" + std::to_string(id);
  auto view = "/orderStatuses/" + std::to_string(id);
  auto cooking = "/foodCookings/" + std::to_string(id);
  auto delivery = "/deliveries/" + std::to_string(id);
  std::vector<std::string> seen;

  auto step = [&](const std::string& expected) {
    EXPECT_TRUE(eventually([&] { return status_of(customer, view) == expected; })) << "view never reached " << expected
                                                                                 << ", is " << status_of(customer, view);
    seen.push_back(expected);
  };

  seen.push_back("PLACED");  // superseded by PAID within a millisecond: checked in the timeline below
  step("PAID");
  ASSERT_TRUE(eventually([&] { return status_of(owner, cooking) == "REQUESTED"; }));
  ASSERT_EQ(owner.call("PUT", cooking + "/accept").status, 200);
  step("ACCEPTED");
  ASSERT_EQ(owner.call("PUT", cooking + "/start").status, 200);
  step("COOKING");
  ASSERT_EQ(owner.call("PUT", cooking + "/finish").status, 200);
  step("COOKED");

  ASSERT_TRUE(eventually([&] { return has_delivery(near, id); }));
  EXPECT_FALSE(has_delivery(far, id));
  EXPECT_EQ(far.call("PUT", delivery + "/assign").status, 404);  // what a rider may not see, they cannot take
  ASSERT_EQ(near.call("PUT", delivery + "/assign").status, 200);
  step("RIDER_ASSIGNED");
  ASSERT_EQ(near.call("PUT", delivery + "/pick").status, 200);
  step("PICKED_UP");
  ASSERT_TRUE(eventually([&] { return status_of(customer, order) == "PICKED_UP"; }));
  auto confirmed = customer.call("PUT", order + "/deliveryconfirm");
  ASSERT_EQ(confirmed.status, 200) << confirmed.raw;
  step("DELIVERED");

  EXPECT_TRUE(eventually([&] { return status_of(customer, "/payments/" + std::to_string(id)) == "SETTLED"; }));
  EXPECT_TRUE(eventually([&] { return status_of(near, delivery) == "DELIVERED"; }));
  // The view follows the settlement's event a moment after the payment service has it.
  EXPECT_TRUE(eventually([&] { return customer.get(view).body.at("paymentStatus").as_string() == "SETTLED"; }));
  auto final_view = customer.get(view).body.as_object();
  EXPECT_EQ(final_view.at("riderId").as_string(), "rider1");
  EXPECT_EQ(final_view.at("paymentStatus").as_string(), "SETTLED");

  auto review = customer.post("/reviews", {{"orderId", id}, {"rating", 5}, {"content", "따뜻하게 잘 왔어요"}});
  ASSERT_EQ(review.status, 201) << review.raw;
  EXPECT_EQ(customer.post("/reviews", {{"orderId", id}, {"rating", 4}, {"content", "again"}}).status, 409);
  auto reviews = owner.get("/reviews?storeId=1");
  ASSERT_EQ(reviews.status, 200);
  EXPECT_EQ(reviews.body.at("reviewCount").as_int64(), 1);
  EXPECT_EQ(reviews.body.at("_embedded").at("reviews").as_array()[0].at("content").as_string(), "따뜻하게 잘 왔어요");
  EXPECT_TRUE(eventually([&] { return customer.get("/stores/1").body.at("reviewCount").as_int64() == 1; }));

  // One KakaoTalk message per status change, no more, no less.
  std::sort(seen.begin(), seen.end());
  EXPECT_TRUE(eventually([&] { return messages_for(customer, id) == seen; }));
  auto timeline = customer.get(view).body.at("timeline").as_array();
  std::set<std::string> steps;
  for (const auto& entry : timeline) steps.insert(std::string(entry.at("status").as_string()));
  for (const auto& status : seen) EXPECT_TRUE(steps.contains(status)) << status;

  auto events = platform::read_stream(platform.bus_url());
  for (const char* type : {"OrderPlaced", "PaymentApproved", "OrderAccepted", "CookStarted", "CookFinished",
                           "DeliveryAssigned", "Picked", "DeliveryConfirmed", "PaymentSettled", "OrderReviewed"})
    EXPECT_EQ(fd::test::count_events(events, type, id), 1) << type;
}

}  // namespace
