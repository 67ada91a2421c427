#include <gtest/gtest.h>

#include "problem_status.hpp"

#include <set>

#include <boost/json.hpp>

#include "domain/catalog.hpp"
#include "domain/food_cooking.hpp"
#include "platform/problem.hpp"

namespace {

using store::CookingStatus;
using store::FoodCooking;


TEST(FoodCooking, EntersTheOwnersListOnlyOncePaid) {
  FoodCooking cooking{9, 1, "customer1", "[]", 23000, "서울", 37.5, 127.0, CookingStatus::AwaitingPayment, 0, ""};
  EXPECT_FALSE(cooking.listed());
  cooking.payment_approved(1234);
  EXPECT_EQ(cooking.status, CookingStatus::Requested);
  EXPECT_EQ(cooking.requested_at, 1234);
  EXPECT_TRUE(cooking.listed());
  EXPECT_EQ(problem_status([&] { cooking.payment_approved(1); }), 409);
  EXPECT_EQ(problem_status([&] { cooking.payment_failed(); }), 409);
}

TEST(FoodCooking, AFailedPaymentNeverReachesTheOwner) {
  FoodCooking cooking{9, 1, "customer1", "[]", 23000, "서울", 37.5, 127.0, CookingStatus::AwaitingPayment, 0, ""};
  cooking.payment_failed();
  EXPECT_FALSE(cooking.listed());
  EXPECT_EQ(problem_status([&] { cooking.payment_approved(1); }), 409);
}

TEST(Catalog, DemoStoresHaveUniqueMenuIdsAndPricedMenus) {
  std::set<std::int64_t> ids;
  for (const auto& s : store::demo_stores()) {
    EXPECT_FALSE(s.menu.empty()) << s.name;
    for (const auto& item : s.menu) {
      EXPECT_TRUE(ids.insert(item.menu_id).second) << item.menu_id;
      EXPECT_GT(item.price, 0);
    }
    auto opened = s.opened();
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].type, "StoreOpened");
    EXPECT_EQ(opened[0].body.at("menu").as_array().size(), s.menu.size());
  }
}

}  // namespace

namespace {

FoodCooking requested() {
  FoodCooking cooking{9, 1, "customer1", "[]", 23000, "서울", 37.5, 127.03, CookingStatus::AwaitingPayment, 0, ""};
  cooking.payment_approved(1000);
  return cooking;
}

TEST(Kitchen, AcceptStartFinishEachPublishTheirEvent) {
  auto cooking = requested();
  EXPECT_EQ((cooking.allowed_commands()), (std::vector<std::string>{"accept", "reject"}));
  EXPECT_EQ(cooking.accept()[0].type, "OrderAccepted");
  EXPECT_EQ((cooking.allowed_commands()), (std::vector<std::string>{"start"}));
  EXPECT_EQ(cooking.start()[0].type, "CookStarted");
  auto store = store::demo_stores().front();
  auto finished = cooking.finish(store);
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].type, "CookFinished");
  EXPECT_EQ(finished[0].body.at("storeName").as_string(), store.name);
  EXPECT_DOUBLE_EQ(finished[0].body.at("lat").as_double(), 37.5);
  EXPECT_EQ(finished[0].body.at("status").as_string(), "COOKED");
  EXPECT_TRUE(cooking.allowed_commands().empty());
}

TEST(Kitchen, WrongStateCommandsAre409AndChangeNothing) {
  auto cooking = requested();
  EXPECT_EQ(problem_status([&] { cooking.start(); }), 409);
  EXPECT_EQ(problem_status([&] { cooking.finish(store::demo_stores().front()); }), 409);
  EXPECT_EQ(cooking.status, CookingStatus::Requested);
  auto rejected = cooking.reject("재료 소진");
  EXPECT_EQ(rejected[0].type, "OrderRejected");
  EXPECT_EQ(rejected[0].body.at("reason").as_string(), "재료 소진");
  EXPECT_EQ(problem_status([&] { cooking.accept(); }), 409);
  EXPECT_EQ(problem_status([&] { cooking.cancel(); }), 409);
}

TEST(Kitchen, CancelIsAllowedOnlyUntilCookingStarts) {
  auto waiting = requested();
  waiting.cancel();
  EXPECT_EQ(waiting.status, CookingStatus::Canceled);
  waiting.cancel();  // asked again: same answer
  auto accepted = requested();
  accepted.accept();
  accepted.cancel();
  EXPECT_EQ(accepted.status, CookingStatus::Canceled);
  auto cooking = requested();
  cooking.accept();
  cooking.start();
  EXPECT_EQ(problem_status([&] { cooking.cancel(); }), 409);
  EXPECT_EQ(cooking.status, CookingStatus::Cooking);
  auto early = store::canceled_before_arrival(10);
  EXPECT_FALSE(early.listed());
  EXPECT_EQ(problem_status([&] { early.payment_approved(1); }), 409);
}

TEST(Kitchen, EventBodiesCarryTheOrderAndTheStatus) {
  auto cooking = requested();
  EXPECT_EQ(cooking.accept()[0].body,
            (boost::json::object{{"orderId", 9}, {"customerId", "customer1"}, {"storeId", 1}, {"status", "ACCEPTED"}}));
  cooking.start();
  auto store = store::demo_stores().front();
  EXPECT_EQ(cooking.finish(store)[0].body, (boost::json::object{{"orderId", 9},
                                                                {"customerId", "customer1"},
                                                                {"storeId", 1},
                                                                {"storeName", store.name},
                                                                {"storeLat", store.lat},
                                                                {"storeLon", store.lon},
                                                                {"address", "서울"},
                                                                {"lat", 37.5},
                                                                {"lon", 127.03},
                                                                {"status", "COOKED"}}));
  auto rejected = requested().reject("마감");
  EXPECT_EQ(rejected[0].body.at("status").as_string(), "REJECTED");
  EXPECT_TRUE(requested().cancel().empty());  // the order service announces the cancel
}

TEST(Kitchen, APlacedOrderWaitsForItsPaymentWithItsLinesAsOrdered) {
  contracts::OrderPlaced placed{9, "customer1", 1, "교촌치킨", {{101, "허니콤보", 23000, 2}}, 46000, "서울", 37.5, 127.0};
  auto cooking = FoodCooking::placed(placed);
  EXPECT_EQ(cooking.status, CookingStatus::AwaitingPayment);
  EXPECT_FALSE(cooking.listed());
  EXPECT_EQ(cooking.store_id, 1);
  EXPECT_EQ(cooking.total_price, 46000);
  EXPECT_EQ(boost::json::parse(cooking.items),
            boost::json::parse(R"([{"menuId":101,"name":"허니콤보","price":23000,"qty":2}])"));
}

TEST(Kitchen, ARejectionNeedsAReason) {
  EXPECT_EQ(store::parse_rejection(boost::json::parse(R"({"reason":"마감"})").as_object()), "마감");
  for (const char* body : {R"({})", R"({"reason":""})", R"({"reason":3})", R"({"reason":"x","y":1})"})
    EXPECT_EQ(problem_status([&] { store::parse_rejection(boost::json::parse(body).as_object()); }), 400) << body;
}

}  // namespace
