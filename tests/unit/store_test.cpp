#include <gtest/gtest.h>

#include <set>

#include "domain/catalog.hpp"
#include "domain/food_cooking.hpp"
#include "platform/problem.hpp"

namespace {

using store::CookingStatus;
using store::FoodCooking;

int status_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    return problem.status;
  }
  return 0;
}

TEST(FoodCooking, EntersTheOwnersListOnlyOncePaid) {
  FoodCooking cooking{9, 1, "customer1", "[]", 23000, "서울", CookingStatus::AwaitingPayment, 0};
  EXPECT_FALSE(cooking.listed());
  cooking.payment_approved(1234);
  EXPECT_EQ(cooking.status, CookingStatus::Requested);
  EXPECT_EQ(cooking.requested_at, 1234);
  EXPECT_TRUE(cooking.listed());
  EXPECT_EQ(status_of([&] { cooking.payment_approved(1); }), 409);
  EXPECT_EQ(status_of([&] { cooking.payment_failed(); }), 409);
}

TEST(FoodCooking, AFailedPaymentNeverReachesTheOwner) {
  FoodCooking cooking{9, 1, "customer1", "[]", 23000, "서울", CookingStatus::AwaitingPayment, 0};
  cooking.payment_failed();
  EXPECT_FALSE(cooking.listed());
  EXPECT_EQ(status_of([&] { cooking.payment_approved(1); }), 409);
}

TEST(Catalog, DemoStoresHaveUniqueMenuIdsAndPricedMenus) {
  std::set<std::int64_t> ids;
  for (const auto& s : store::demo_stores()) {
    EXPECT_FALSE(s.menu.empty()) << s.name;
    for (const auto& item : s.menu) {
      EXPECT_TRUE(ids.insert(item.menu_id).second) << item.menu_id;
      EXPECT_GT(item.price, 0);
    }
    auto event = s.opened();
    EXPECT_EQ(event.type, "StoreOpened");
    EXPECT_EQ(event.body.at("menu").as_array().size(), s.menu.size());
  }
}

}  // namespace
