// A new store's first day, tried as a new user would, through the gateway only: the admin
// creates the store and its owner's account; the owner writes the menu and opens; customers
// order; the owner marks a dish sold out, changes a price and closes; the admin disables a
// customer. Each step's refusal says what a user needs to know.
#include <gtest/gtest.h>

#include "contracts/store_terms.hpp"
#include "platform/clock.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::Reply;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The answer to `send` once it is `status` (the services follow each other's events), or the
// last answer.
Reply until(int status, const std::function<Reply()>& send) {
  Reply reply;
  eventually([&] { return (reply = send()).status == status; });
  return reply;
}

TEST(NewStore, TriedAsANewUserWouldThroughTheGatewayOnly) {
  fd::test::TestPlatform platform;
  const int gateway = platform.gateway_port();
  Api admin(gateway), owner(gateway), first(gateway), second(gateway);
  admin.login("admin");
  first.login("customer1");
  second.login("customer2");

  // The admin creates the store, then its owner's account.
  auto created = admin.post("/stores", {{"name", "한강 김밥"},
                                        {"category", "분식"},
                                        {"address", "서울 강남구 테헤란로 152"},
                                        {"lat", 37.5006},
                                        {"lon", 127.0364}});
  ASSERT_EQ(created.status, 201) << created.raw;
  const auto store_id = created.body.at("storeId").as_int64();
  const auto store = "/stores/" + std::to_string(store_id);
  auto onboarded = until(201, [&] {
    return admin.post("/auth/accounts", {{"role", "owner"},
                                         {"username", "hangang_owner"},
                                         {"password", "correct horse battery"},
                                         {"displayName", "한강 사장"},
                                         {"storeId", store_id}});
  });
  ASSERT_EQ(onboarded.status, 201) << onboarded.raw;
  owner.login("hangang_owner", "correct horse battery");

  // The owner writes three dishes and opens the store.
  std::vector<std::int64_t> dishes;
  for (const auto& [name, price] : {std::pair{"참치김밥", 4500}, {"떡볶이", 5000}, {"라면", 4000}}) {
    auto dish = owner.post(store + "/menu", {{"name", name}, {"price", price}, {"category", "분식"}});
    ASSERT_EQ(dish.status, 201) << dish.raw;
    dishes.push_back(dish.body.at("menuId").as_int64());
  }
  ASSERT_EQ(owner.call("PUT", store + "/settings", R"({"open":true})").status, 200);
  EXPECT_TRUE(first.get(store).body.at("openNow").as_bool());

  // A customer orders the first dish at its price.
  auto placed = until(201, [&] { return first.post("/orders", order_request(store_id, dishes[0], 2)); });
  ASSERT_EQ(placed.status, 201) << placed.raw;
  const auto order = "/orders/" + std::to_string(placed.body.at("orderId").as_int64());
  EXPECT_EQ(placed.body.at("totalPrice").as_int64(), 2 * 4500);

  // Sold out: a second customer's order of it is refused, naming the dish.
  ASSERT_EQ(owner.call("PUT", store + "/menu/" + std::to_string(dishes[1]) + "/soldOut", R"({"soldOut":true})").status,
            200);
  auto sold_out = until(409, [&] { return second.post("/orders", order_request(store_id, dishes[1], 1)); });
  EXPECT_EQ(sold_out.status, 409) << sold_out.raw;
  EXPECT_TRUE(contains(sold_out.detail(), "떡볶이") && contains(sold_out.detail(), "sold out")) << sold_out.raw;

  // A new price: new orders pay it, the first order keeps the price it was placed at.
  ASSERT_EQ(owner.call("PUT", store + "/menu/" + std::to_string(dishes[0]), R"({"price":5500})").status, 200);
  auto repriced = until(201, [&] {
    auto reply = second.post("/orders", order_request(store_id, dishes[0], 1));
    if (reply.status == 201 && reply.body.at("totalPrice").as_int64() != 5500) reply.status = 0;  // the old price yet
    return reply;
  });
  EXPECT_EQ(repriced.status, 201) << repriced.raw;
  auto kept = first.get(order);
  EXPECT_EQ(kept.body.at("totalPrice").as_int64(), 2 * 4500) << kept.raw;
  EXPECT_EQ(kept.body.at("items").at(0).at("price").as_int64(), 4500) << kept.raw;

  // Closed by its hours (open tomorrow only): an order is refused, saying when it opens.
  const auto tomorrow = contracts::store_terms::kDays[contracts::store_terms::week_minute(
                                                          platform::now_ms() + 24 * 3600 * 1000LL) /
                                                      (24 * 60)];
  const std::string hours = std::string(R"({"openingHours":[{"day":")") + std::string(tomorrow) +
                            R"(","opens":"11:00","closes":"21:00"}]})";
  ASSERT_EQ(owner.call("PUT", store + "/settings", hours).status, 200);
  auto closed = until(409, [&] { return first.post("/orders", order_request(store_id, dishes[2], 1)); });
  EXPECT_EQ(closed.status, 409) << closed.raw;
  EXPECT_TRUE(contains(closed.detail(), "closed") && contains(closed.detail(), "11:00")) << closed.raw;
  EXPECT_FALSE(first.get(store).body.at("openNow").as_bool());

  // The admin disables the first customer: their token answers 401 in every service.
  ASSERT_EQ(admin.call("PUT", "/auth/accounts/customer1/disable").status, 200);
  for (const auto& target : {order, std::string("/orders"), "/payments/" + order.substr(8), std::string("/foodCookings"),
                             std::string("/deliveries"), std::string("/orderStatuses"), std::string("/auth/me")}) {
    Reply reply;
    EXPECT_TRUE(eventually([&] { return (reply = first.get(target)).status == 401; }))
        << target << " answers " << reply.status;
  }
  EXPECT_EQ(second.get("/orders").status, 200) << "another customer is untouched";
}

}  // namespace
