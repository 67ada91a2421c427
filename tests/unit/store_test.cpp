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
            (boost::json::object{
                {"orderId", 9}, {"customerId", "customer1"}, {"storeId", 1}, {"cookingMinutes", 20}, {"status", "ACCEPTED"}}));
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

// --- Owners run their store (issue 16) ---
namespace {

using store::Store;

boost::json::object json(std::string_view text) { return boost::json::parse(text).as_object(); }

Store created() {
  auto request = store::parse_new_store(json(R"({"name":"새 가게","category":"한식","address":"서울 중구 1",
      "lat":37.56,"lon":126.98,"menu":[{"name":"비빔밥","price":9000,"description":"나물","category":"밥"}]})"));
  std::int64_t next = 900;
  return Store::create(7, request, [&] { return next++; }).first;
}

boost::json::object changed(const platform::Events& events) {
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(events.at(0).type, "StoreChanged");
  return events.at(0).body;
}

TEST(StoreOwner, ANewStoreStartsClosedWithItsMenuAndRevisionOne) {
  auto request = store::parse_new_store(json(R"({"name":"새 가게","category":"한식","address":"서울 중구 1",
      "lat":37.56,"lon":126.98,"menu":[{"name":"비빔밥","price":9000}]})"));
  std::int64_t next = 900;
  auto [store, events] = Store::create(7, request, [&] { return next++; });
  EXPECT_FALSE(store.open);
  EXPECT_FALSE(store.open_at(1796004000000));
  EXPECT_EQ(store.opens_next(1796004000000), std::nullopt);  // only its owner opens it
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "StoreOpened");  // announced, without the menu until StoreChanged
  EXPECT_EQ(events[0].body.at("storeId").as_int64(), 7);
  EXPECT_TRUE(events[0].body.at("menu").as_array().empty());
  events.erase(events.begin());
  auto body = changed(events);
  EXPECT_EQ(body.at("revision").as_int64(), 1);
  EXPECT_EQ(body.at("menu").as_array().at(0).at("menuId").as_int64(), 900);
  EXPECT_EQ(body.at("change").as_string(), "store created");
}

TEST(StoreOwner, EachChangeCarriesTheWholeStoreAtTheNextRevision) {
  auto store = created();
  auto added = changed(store.add_item(901, store::parse_menu_item(json(R"({"name":"김밥","price":4000})"), true)));
  EXPECT_EQ(added.at("revision").as_int64(), 2);
  EXPECT_EQ(added.at("menu").as_array().size(), 2u);
  auto edited = changed(store.edit_item(900, store::parse_menu_item(json(R"({"price":9500})"), false)));
  EXPECT_EQ(edited.at("menu").as_array().at(0).at("price").as_int64(), 9500);
  EXPECT_EQ(edited.at("menu").as_array().at(0).at("name").as_string(), "비빔밥");
  auto sold_out = changed(store.mark_sold_out(901, true));
  EXPECT_TRUE(sold_out.at("menu").as_array().at(1).at("soldOut").as_bool());
  auto removed = changed(store.remove_item(900));
  EXPECT_EQ(removed.at("menu").as_array().size(), 1u);
  auto opened = changed(store.change_settings(store::parse_settings(
      json(R"({"open":true,"minimumOrder":12000,"deliveryFees":[{"upToMeters":2000,"fee":1000}]})"))));
  EXPECT_EQ(opened.at("revision").as_int64(), 6);
  EXPECT_TRUE(opened.at("open").as_bool());
  EXPECT_EQ(opened.at("minimumOrder").as_int64(), 12000);
  EXPECT_EQ(opened.at("change").as_string(), "opened, minimum order, delivery fees");
}

TEST(StoreOwner, RefusesConflictsAndUnknownItemsChangingNothing) {
  auto store = created();
  EXPECT_EQ(problem_status([&] {
              store.add_item(901, store::parse_menu_item(json(R"({"name":"비빔밥","price":1})"), true));
            }),
            409);
  EXPECT_EQ(problem_status([&] { store.mark_sold_out(900, false); }), 409);  // already on sale
  EXPECT_EQ(problem_status([&] { store.remove_item(555); }), 404);
  EXPECT_EQ(problem_status([&] { store.change_settings(store::parse_settings(json(R"({"open":false})"))); }), 409);
  EXPECT_EQ(problem_status([&] {
              store.edit_item(900, store::parse_menu_item(json(R"({"price":9000})"), false));
            }),
            409);
  EXPECT_EQ(store.revision, 1);
  EXPECT_EQ(store.menu.size(), 1u);
}

TEST(StoreOwner, RefusesBadInputNamingTheField) {
  for (const char* body : {R"({})", R"({"open":"yes"})", R"({"minimumOrder":-1})",
                           R"({"openingHours":[{"day":"MONDAY","opens":"11:00","closes":"22:00"}]})",
                           R"({"openingHours":[{"day":"MON","opens":"24:00","closes":"22:00"}]})",
                           R"({"deliveryFees":[{"upToMeters":3000,"fee":0},{"upToMeters":1000,"fee":1}]})",
                           R"({"deliveryFees":[{"upToMeters":0,"fee":0}]})", R"({"closed":true})"})
    EXPECT_EQ(problem_status([&] { store::parse_settings(json(body)); }), 400) << body;
  for (const char* body : {R"({"price":1000})", R"({"name":"","price":1000})", R"({"name":"a","price":0})",
                           R"({"name":"a","price":1000,"soldOut":true})"})
    EXPECT_EQ(problem_status([&] { store::parse_menu_item(json(body), true); }), 400) << body;
  EXPECT_EQ(problem_status([&] { store::parse_menu_item(json("{}"), false); }), 400);
  EXPECT_EQ(problem_status([&] { store::parse_sold_out(json(R"({"soldOut":1})")); }), 400);
  EXPECT_EQ(problem_status([&] {
              store::parse_new_store(json(R"({"name":"a","category":"b","address":"c","lat":91,"lon":0})"));
            }),
            400);
  EXPECT_EQ(problem_status([&] {
              std::int64_t next = 1;
              Store::create(1,
                            store::parse_new_store(json(R"({"name":"a","category":"b","address":"c","lat":1,"lon":0,
                                "menu":[{"name":"x","price":1},{"name":"x","price":2}]})")),
                            [&] { return next++; });
            }),
            400);
}

TEST(StoreOwner, OpenNowNeedsTheToggleAndTheHoursAndSaysWhenItOpens) {
  auto store = created();
  store.change_settings(store::parse_settings(
      json(R"({"open":true,"openingHours":[{"day":"MON","opens":"11:00","closes":"22:00"}]})")));
  constexpr std::int64_t kMonday11 = 1796004000000;
  EXPECT_TRUE(store.open_at(kMonday11));
  EXPECT_FALSE(store.open_at(kMonday11 - 1));
  EXPECT_EQ(store.opens_next(kMonday11 - 60'000), kMonday11);
}

TEST(Kitchen, AcceptCarriesTheCookingTimeOrTheDefault) {
  EXPECT_EQ(store::parse_acceptance(json("{}")), store::kDefaultCookingMinutes);
  EXPECT_EQ(store::parse_acceptance(json(R"({"cookingMinutes":35})")), 35);
  for (const char* body : {R"({"cookingMinutes":9})", R"({"cookingMinutes":61})", R"({"minutes":30})"})
    EXPECT_EQ(problem_status([&] { store::parse_acceptance(json(body)); }), 400) << body;
  auto cooking = requested();
  EXPECT_EQ(cooking.accept(35).at(0).body.at("cookingMinutes").as_int64(), 35);
}

}  // namespace
