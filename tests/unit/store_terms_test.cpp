// A store's terms (contracts/store_terms.hpp): opening hours read in Asia/Seoul time, fee
// bands by distance; and how the order service prices and refuses an order by them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "contracts/store_terms.hpp"
#include "domain/order.hpp"
#include "platform/problem.hpp"

namespace {

namespace terms = contracts::store_terms;

// Monday 2026-11-30 11:00 in Seoul, 02:00 UTC.
constexpr std::int64_t kMonday11 = 1796004000000;
constexpr std::int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;

TEST(OpeningHours, AreReadInSeoulTimeNotUtc) {
  std::vector<contracts::OpeningHours> lunch{{"MON", "11:00", "22:00"}};
  EXPECT_TRUE(terms::open_at(lunch, kMonday11));
  EXPECT_TRUE(terms::open_at(lunch, kMonday11 + 11 * kHour - 1000));
  EXPECT_FALSE(terms::open_at(lunch, kMonday11 + 11 * kHour));  // 22:00: closed
  EXPECT_FALSE(terms::open_at(lunch, kMonday11 - kMinute));
  // 02:00 UTC on Monday is 11:00 in Seoul: hours of 01:00-03:00 do not hold it.
  EXPECT_FALSE(terms::open_at({{"MON", "01:00", "03:00"}}, kMonday11));
  EXPECT_EQ(terms::seoul_time(kMonday11), "2026-11-30T11:00+09:00");
  EXPECT_EQ(terms::seoul_time(kMonday11 + 13 * kHour + 30 * kMinute), "2026-12-01T00:30+09:00");
}

TEST(OpeningHours, NoHoursIsOpenAllWeek) {
  EXPECT_TRUE(terms::open_at({}, kMonday11));
  EXPECT_EQ(terms::next_opening({}, kMonday11), std::nullopt);
}

TEST(OpeningHours, ACloseBeforeTheOpenIsOnTheNextDayAcrossTheWeeksEnd) {
  std::vector<contracts::OpeningHours> late{{"SUN", "17:00", "02:00"}};
  auto monday_0130 = kMonday11 + 6 * kDay + 14 * kHour + 30 * kMinute;  // the next Monday, 01:30
  EXPECT_TRUE(terms::open_at(late, monday_0130));
  EXPECT_FALSE(terms::open_at(late, monday_0130 + kHour));
  EXPECT_EQ(terms::seoul_time(*terms::next_opening(late, monday_0130 + kHour)), "2026-12-13T17:00+09:00");
}

TEST(OpeningHours, TheNextOpeningIsTheSoonestAfterNow) {
  std::vector<contracts::OpeningHours> hours{{"MON", "11:00", "22:00"}, {"WED", "09:30", "12:00"}};
  EXPECT_EQ(terms::next_opening(hours, kMonday11 + 11 * kHour), kMonday11 + 2 * kDay - 90 * kMinute);
  EXPECT_EQ(terms::next_opening(hours, kMonday11 - kMinute + 1), kMonday11);
  EXPECT_EQ(terms::next_opening(hours, kMonday11), kMonday11 + 2 * kDay - 90 * kMinute);
}

TEST(FeeBands, ChargeTheBandOfTheDistanceAndNothingBeyondTheLast) {
  std::vector<contracts::FeeBand> bands{{1000, 0}, {3000, 2000}, {5000, 3500}};
  EXPECT_EQ(terms::delivery_fee(bands, 500), 0);
  EXPECT_EQ(terms::delivery_fee(bands, 1000), 0);
  EXPECT_EQ(terms::delivery_fee(bands, 1000.5), 2000);
  EXPECT_EQ(terms::delivery_fee(bands, 5000), 3500);
  EXPECT_EQ(terms::delivery_fee(bands, 5001), std::nullopt);
  EXPECT_EQ(terms::delivery_fee({}, 1e6), 0);
  EXPECT_NEAR(terms::distance_m(37.0, 127.0, 38.0, 127.0), 111'195, 100);
}

// Pricing by the replica's store: 교촌치킨 강남역점, its dishes 101 and 104.
std::optional<order::MenuItem> menu(std::int64_t id) {
  if (id == 101) return order::MenuItem{101, 1, "허니콤보", 23000};
  if (id == 104) return order::MenuItem{104, 1, "치즈볼", 5000, true};
  return std::nullopt;
}

order::CatalogStore gangnam() {
  order::CatalogStore store{1, "교촌치킨", 37.4979, 127.0276};
  store.opening_hours = {{"MON", "11:00", "22:00"}};
  store.minimum_order = 15000;
  store.delivery_fees = {{500, 0}, {1500, 3000}};
  return store;
}

order::PlaceOrder order_of(std::int64_t menu_id, std::int64_t qty, double lat = 37.5006, double lon = 127.0364) {
  return {1, {{menu_id, qty}}, "서울 강남구 테헤란로 152", lat, lon};  // about 840 m from the store
}

std::string refusal(const std::function<void()>& action, int status) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    EXPECT_EQ(problem.status, status) << problem.detail;
    return problem.detail;
  }
  ADD_FAILURE() << "nothing was refused";
  return {};
}

TEST(Pricing, ChargesTheDeliveryFeeOfTheDistanceInTheTotal) {
  auto [placed, events] = order::Order::place(7, "customer1", order_of(101, 1), gangnam(), menu, kMonday11);
  EXPECT_EQ(placed.delivery_fee, 3000);
  EXPECT_EQ(placed.total_price, 23000 + 3000);
  EXPECT_EQ(events.at(0).body.at("totalPrice").as_int64(), 26000);
  EXPECT_EQ(placed.items.at(0).price, 23000);
}

TEST(Pricing, RefusesASoldOutItemNamingIt) {
  auto detail = refusal([] { order::Order::place(7, "c", order_of(104, 5), gangnam(), menu, kMonday11); }, 409);
  EXPECT_NE(detail.find("menuId 104 (치즈볼) is sold out"), std::string::npos) << detail;
}

TEST(Pricing, RefusesAClosedStoreSayingWhenItOpens) {
  auto detail = refusal([] { order::Order::place(7, "c", order_of(101, 1), gangnam(), menu, kMonday11 - kHour); }, 409);
  EXPECT_NE(detail.find("is closed; it opens at 2026-11-30T11:00+09:00"), std::string::npos) << detail;
  auto closed = gangnam();
  closed.open = false;
  detail = refusal([&] { order::Order::place(7, "c", order_of(101, 1), closed, menu, kMonday11); }, 409);
  EXPECT_NE(detail.find("it opens when its owner opens it"), std::string::npos) << detail;
}

TEST(Pricing, RefusesItemsBelowTheMinimumSayingBothAmounts) {
  auto store = gangnam();
  store.minimum_order = 30000;
  auto detail = refusal([&] { order::Order::place(7, "c", order_of(101, 1), store, menu, kMonday11); }, 409);
  EXPECT_NE(detail.find("the items come to 23000 KRW; store 1 takes orders from 30000 KRW"), std::string::npos)
      << detail;
  EXPECT_EQ(order::Order::place(7, "c", order_of(101, 2), store, menu, kMonday11).first.total_price, 46000 + 3000);
}

TEST(Pricing, RefusesAnAddressBeyondTheFarthestBand) {
  auto detail = refusal([] { order::Order::place(7, "c", order_of(101, 1, 37.56, 126.97), gangnam(), menu, kMonday11); },
                        409);
  EXPECT_NE(detail.find("which delivers up to 1500 m"), std::string::npos) << detail;
}

TEST(Pricing, ARemovedItemIsNotOnTheMenu) {
  auto detail = refusal([] { order::Order::place(7, "c", order_of(102, 1), gangnam(), menu, kMonday11); }, 400);
  EXPECT_NE(detail.find("menuId 102 is not on the menu of store 1"), std::string::npos) << detail;
}

}  // namespace
