// Owners run their store, through the gateway (issue 16): the menu, sold out, the store open
// or closed by its toggle and its hours (Asia/Seoul), the minimum order and the delivery
// fee; the admin creating a store; the order service refusing or pricing orders by the
// replica it keeps from StoreChanged; the cooking time on accept and the customer's
// estimated arrival. Every refusal is problem+json and changes nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "contracts/store_terms.hpp"
#include "platform/clock.hpp"
#include "platform/jwt.hpp"
#include "support/customer_and_owner.hpp"
#include "support/publish.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::Reply;

bool problem(const Reply& reply, int status) {
  return reply.status == status && reply.content_type.starts_with("application/problem+json");
}

class StoreOwner : public fd::test::CustomerAndOwner {
 protected:
  Reply put(Api& api, const std::string& target, const boost::json::value& body) {
    return api.call("PUT", target, boost::json::serialize(body));
  }
  Reply settings(const boost::json::value& body, Api* as = nullptr) {
    return put(as ? *as : owner, "/stores/1/settings", body);
  }
  // Places an order once the order service's replica answers `status` (it follows the
  // store's events); the last answer.
  Reply order_until(int status, const boost::json::object& request) {
    Reply reply;
    eventually([&] { return (reply = customer.post("/orders", request)).status == status; });
    return reply;
  }
  // A token as the auth service issues to the owner of `store_id` (onboarding its owner
  // account is the accounts' part).
  std::string owner_token(std::int64_t store_id) {
    std::ifstream in(platform.data_dir() + "/jwt.secret");
    std::string secret;
    in >> secret;
    auto now = platform::now_s();
    return platform::sign_jwt({"owner-of-" + std::to_string(store_id), "owner", std::to_string(store_id), now,
                               now + 600, "store-owner-test"},
                              secret);
  }
  // An opening of the week on tomorrow's day, which never holds now: the store is closed by
  // its hours, and opens tomorrow at 11:00 Seoul time.
  static std::string tomorrow() {
    auto next_day = platform::now_ms() + 24 * 3600 * 1000LL;
    return std::string(contracts::store_terms::kDays[contracts::store_terms::week_minute(next_day) / (24 * 60)]);
  }
};

TEST_F(StoreOwner, ChangesTheMenuAndTheOrderServiceFollows) {
  auto added = owner.post("/stores/1/menu", {{"name", "간장치킨"}, {"price", 21000}, {"description", "간장 소스"},
                                             {"category", "치킨"}});
  ASSERT_EQ(added.status, 201) << added.raw;
  auto menu_id = added.body.at("menuId").as_int64();
  EXPECT_EQ(added.location, "/stores/1/menu/" + std::to_string(menu_id));
  EXPECT_EQ(added.body.at("soldOut").as_bool(), false);
  auto ordered = order_until(201, order_request(1, menu_id, 1));
  EXPECT_EQ(ordered.body.at("items").at(0).at("price").as_int64(), 21000);
  EXPECT_EQ(ordered.body.at("deliveryFee").as_int64(), 0);  // the demo store delivers free

  // A price change: the order placed before keeps its price; the next one pays the new one.
  auto first = customer.post("/orders", order_request(1, 101, 1));
  ASSERT_EQ(first.status, 201) << first.raw;
  auto edited = put(owner, "/stores/1/menu/101", {{"price", 25000}});
  ASSERT_EQ(edited.status, 200) << edited.raw;
  EXPECT_EQ(edited.body.at("price").as_int64(), 25000);
  EXPECT_EQ(edited.body.at("name").as_string(), "허니콤보");
  Reply second;
  ASSERT_TRUE(eventually([&] {
    second = customer.post("/orders", order_request(1, 101, 1));
    return second.status == 201 && second.body.at("totalPrice").as_int64() == 25000;
  })) << second.raw;
  auto kept = customer.get("/orders/" + std::to_string(first.body.at("orderId").as_int64()));
  EXPECT_EQ(kept.body.at("items").at(0).at("price").as_int64(), 23000);
  EXPECT_EQ(kept.body.at("totalPrice").as_int64(), 23000);

  // Sold out: refused naming the item, until it is back on sale.
  auto sold_out = put(owner, "/stores/1/menu/104/soldOut", {{"soldOut", true}});
  ASSERT_EQ(sold_out.status, 200) << sold_out.raw;
  EXPECT_TRUE(sold_out.body.at("soldOut").as_bool());
  auto refused = order_until(409, order_request(1, 104, 1));
  EXPECT_TRUE(problem(refused, 409)) << refused.raw;
  EXPECT_NE(refused.detail().find("menuId 104 (치즈볼) is sold out"), std::string::npos) << refused.raw;
  ASSERT_EQ(put(owner, "/stores/1/menu/104/soldOut", {{"soldOut", false}}).status, 200);
  order_until(201, order_request(1, 104, 1));

  // Removed: no longer on the menu.
  auto removed = owner.call("DELETE", "/stores/1/menu/103");
  EXPECT_EQ(removed.status, 204) << removed.raw;
  refused = order_until(400, order_request(1, 103, 1));
  EXPECT_NE(refused.detail().find("menuId 103 is not on the menu of store 1"), std::string::npos) << refused.raw;

  auto store = customer.get("/stores/1").body;
  std::vector<std::int64_t> ids;
  for (const auto& item : store.at("menu").as_array()) ids.push_back(item.at("menuId").as_int64());
  EXPECT_EQ(ids, (std::vector<std::int64_t>{101, 102, 104, menu_id}));
}

TEST_F(StoreOwner, ClosesTheStoreByItsToggleOrItsHoursAndOrdersAreRefusedSayingWhenItOpens) {
  auto closed = settings({{"open", false}});
  ASSERT_EQ(closed.status, 200) << closed.raw;
  EXPECT_FALSE(closed.body.at("openNow").as_bool());
  EXPECT_TRUE(closed.body.at("opensAt").is_null());
  auto listed = customer.get("/stores").body.at("_embedded").at("stores").as_array();
  EXPECT_FALSE(listed.at(0).at("openNow").as_bool());
  EXPECT_TRUE(listed.at(1).at("openNow").as_bool());
  auto refused = order_until(409, order_request(1, 101, 1));
  EXPECT_TRUE(problem(refused, 409)) << refused.raw;
  EXPECT_NE(refused.detail().find("is closed; it opens when its owner opens it"), std::string::npos) << refused.raw;

  auto day = tomorrow();
  auto by_hours = settings(
      {{"open", true}, {"openingHours", {{{"day", day}, {"opens", "11:00"}, {"closes", "12:00"}}}}});
  ASSERT_EQ(by_hours.status, 200) << by_hours.raw;
  EXPECT_FALSE(by_hours.body.at("openNow").as_bool());
  std::string opens(by_hours.body.at("opensAt").as_string());
  EXPECT_TRUE(opens.ends_with("T11:00+09:00")) << opens;
  Reply waiting;
  ASSERT_TRUE(eventually([&] {
    waiting = customer.post("/orders", order_request(1, 101, 1));
    return waiting.detail().find("it opens at " + opens) != std::string::npos;
  })) << waiting.raw;
  EXPECT_TRUE(problem(waiting, 409));

  auto all_week = settings({{"openingHours", boost::json::array()}});
  ASSERT_EQ(all_week.status, 200) << all_week.raw;
  EXPECT_TRUE(all_week.body.at("openNow").as_bool());
  order_until(201, order_request(1, 101, 1));
}

TEST_F(StoreOwner, ChargesTheDeliveryFeeOfTheDistanceAndRefusesBelowTheMinimumOrBeyondTheLastBand) {
  // order_request delivers about 840 m from store 1.
  auto terms = settings({{"minimumOrder", 30000},
                         {"deliveryFees", {{{"upToMeters", 500}, {"fee", 0}}, {{"upToMeters", 1500}, {"fee", 3000}}}}});
  ASSERT_EQ(terms.status, 200) << terms.raw;
  EXPECT_EQ(terms.body.at("minimumOrder").as_int64(), 30000);
  EXPECT_EQ(terms.body.at("deliveryFees").as_array().size(), 2u);
  auto below = order_until(409, order_request(1, 101, 1));
  EXPECT_NE(below.detail().find("the items come to 23000 KRW; store 1 takes orders from 30000 KRW"), std::string::npos)
      << below.raw;
  auto placed = order_until(201, order_request(1, 101, 2));
  EXPECT_EQ(placed.body.at("deliveryFee").as_int64(), 3000);
  EXPECT_EQ(placed.body.at("totalPrice").as_int64(), 2 * 23000 + 3000);
  Reply paid;
  ASSERT_TRUE(eventually([&] {
    paid = customer.get("/payments/" + std::to_string(placed.body.at("orderId").as_int64()));
    return paid.status == 200;
  }));
  EXPECT_EQ(paid.body.at("amount").as_int64(), 49000);

  ASSERT_EQ(settings({{"deliveryFees", {{{"upToMeters", 500}, {"fee", 0}}}}}).status, 200);
  auto far = order_until(409, order_request(1, 101, 2));
  EXPECT_NE(far.detail().find("which delivers up to 500 m"), std::string::npos) << far.raw;
}

TEST_F(StoreOwner, RefusesAnotherRoleAnotherStoreUnknownBadInputAndConflictsChangingNothing) {
  auto before = customer.get("/stores/1").raw;
  Api owner2{platform.gateway_port()};
  owner2.login("owner2");
  struct Case {
    Api* as;
    const char* method;
    std::string target;
    std::string body;
    int status;
  };
  const std::vector<Case> cases{
      {&customer, "PUT", "/stores/1/settings", R"({"open":false})", 403},
      {&customer, "POST", "/stores/1/menu", R"({"name":"a","price":1000})", 403},
      {&owner2, "PUT", "/stores/1/settings", R"({"open":false})", 403},
      {&owner2, "DELETE", "/stores/1/menu/101", "", 403},
      {&owner2, "PUT", "/stores/1/menu/101/soldOut", R"({"soldOut":true})", 403},
      {&owner, "PUT", "/stores/99/settings", R"({"open":false})", 404},
      {&owner, "PUT", "/stores/1/menu/9999", R"({"price":1000})", 404},
      {&owner, "DELETE", "/stores/1/menu/201", "", 404},  // store 2's
      {&owner, "PUT", "/stores/1/menu/9999/soldOut", R"({"soldOut":true})", 404},
      {&owner, "PUT", "/stores/1/settings", R"({})", 400},
      {&owner, "PUT", "/stores/1/settings", R"({"minimumOrder":-5})", 400},
      {&owner, "PUT", "/stores/1/settings", R"({"openingHours":[{"day":"MON","opens":"25:00","closes":"22:00"}]})", 400},
      {&owner, "PUT", "/stores/1/settings", R"({"deliveryFees":[{"upToMeters":2000,"fee":0},{"upToMeters":1000,"fee":0}]})", 400},
      {&owner, "POST", "/stores/1/menu", R"({"name":"새 메뉴"})", 400},
      {&owner, "POST", "/stores/1/menu", R"({"name":"새 메뉴","price":0})", 400},
      {&owner, "PUT", "/stores/1/menu/101", R"({"price":"abc"})", 400},
      {&owner, "PUT", "/stores/1/menu/101/soldOut", R"({"soldOut":"yes"})", 400},
      {&owner, "PUT", "/stores/1/menu/01", R"({"price":1000})", 400},
      {&owner, "POST", "/stores/1/menu", R"({"name":"허니콤보","price":1000})", 409},
      {&owner, "PUT", "/stores/1/menu/102", R"({"name":"허니콤보"})", 409},
      {&owner, "PUT", "/stores/1/menu/101", R"({"price":23000})", 409},
      {&owner, "PUT", "/stores/1/menu/101/soldOut", R"({"soldOut":false})", 409},
      {&owner, "PUT", "/stores/1/settings", R"({"open":true})", 409},
      {&owner, "POST", "/stores", R"({"name":"a","category":"b","address":"c","lat":1,"lon":1})", 403},
      {&customer, "POST", "/stores", R"({"name":"a","category":"b","address":"c","lat":1,"lon":1})", 403},
  };
  for (const auto& c : cases) {
    auto reply = c.as->call(c.method, c.target, c.body);
    EXPECT_TRUE(problem(reply, c.status)) << c.method << " " << c.target << " " << c.body << ": " << reply.status << " "
                                          << reply.raw;
  }
  EXPECT_EQ(customer.get("/stores/1").raw, before);
}

TEST_F(StoreOwner, TheAdminCreatesAStoreThatTakesOrdersOnceItsOwnerOpensIt) {
  Api admin{platform.gateway_port()};
  admin.login("admin");
  auto bad = admin.post("/stores", {{"name", "새 가게"}, {"category", "치킨"}, {"address", "서울"}, {"lat", 95}, {"lon", 127}});
  EXPECT_TRUE(problem(bad, 400)) << bad.raw;
  EXPECT_NE(bad.detail().find("lat"), std::string::npos);
  auto twice = admin.post("/stores", {{"name", "새 가게"}, {"category", "치킨"}, {"address", "서울"}, {"lat", 37.5}, {"lon", 127},
                                      {"menu", {{{"name", "a"}, {"price", 1}}, {{"name", "a"}, {"price", 2}}}}});
  EXPECT_TRUE(problem(twice, 400)) << twice.raw;
  EXPECT_EQ(customer.get("/stores").body.at("page").at("totalElements").as_int64(), 4);

  auto created = admin.post(
      "/stores", {{"name", "교촌치킨 역삼점"},
                  {"category", "치킨"},
                  {"address", "서울 강남구 역삼로 180"},
                  {"lat", 37.4955},
                  {"lon", 127.0330},
                  {"menu", {{{"name", "허니콤보"}, {"price", 23000}}, {{"name", "레드콤보"}, {"price", 24000}}}},
                  {"minimumOrder", 20000},
                  {"deliveryFees", {{{"upToMeters", 3000}, {"fee", 2500}}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  auto store_id = created.body.at("storeId").as_int64();
  EXPECT_EQ(created.location, "/stores/" + std::to_string(store_id));
  EXPECT_FALSE(created.body.at("open").as_bool());
  EXPECT_FALSE(created.body.at("openNow").as_bool());
  auto menu_id = created.body.at("menu").at(0).at("menuId").as_int64();
  auto shown = customer.get("/stores/" + std::to_string(store_id));
  EXPECT_EQ(shown.body.at("name").as_string(), "교촌치킨 역삼점");
  EXPECT_EQ(shown.body.at("menu").as_array().size(), 2u);

  auto closed = order_until(409, order_request(store_id, menu_id, 1));
  EXPECT_NE(closed.detail().find("opens when its owner opens it"), std::string::npos) << closed.raw;

  Api new_owner{platform.gateway_port()};
  new_owner.token(owner_token(store_id));
  EXPECT_TRUE(problem(settings({{"open", true}}, &new_owner), 403));  // store 1 is not theirs
  auto opened = put(new_owner, "/stores/" + std::to_string(store_id) + "/settings", {{"open", true}});
  ASSERT_EQ(opened.status, 200) << opened.raw;
  EXPECT_TRUE(opened.body.at("openNow").as_bool());
  auto placed = order_until(201, order_request(store_id, menu_id, 1));
  EXPECT_EQ(placed.body.at("deliveryFee").as_int64(), 2500);
  EXPECT_EQ(placed.body.at("totalPrice").as_int64(), 23000 + 2500);
  EXPECT_EQ(placed.body.at("storeName").as_string(), "교촌치킨 역삼점");
}

TEST_F(StoreOwner, TheReplicaTakesTheHighestRevisionSoAnOldOrRepeatedChangeChangesNothing) {
  ASSERT_EQ(put(owner, "/stores/1/menu/101/soldOut", {{"soldOut", true}}).status, 200);
  order_until(409, order_request(1, 101, 1));
  // That change again, as a redelivery would bring it, but as it was before: revision 1
  // with 101 on sale at 1 KRW. Applied, it would put 101 back on sale.
  boost::json::object stale{{"storeId", 1},       {"revision", 1},    {"change", "menu item 101 back on sale"},
                            {"name", "교촌치킨 강남역점"}, {"category", "치킨"}, {"address", "서울 강남구 강남대로 396"},
                            {"lat", 37.4979},     {"lon", 127.0276},  {"open", true},
                            {"openingHours", boost::json::array()}, {"minimumOrder", 0},
                            {"deliveryFees", boost::json::array()},
                            {"menu", {{{"menuId", 101}, {"name", "허니콤보"}, {"price", 1}, {"description", ""},
                                       {"category", ""}, {"soldOut", false}}}}};
  fd::test::publish_event(platform.nats_url(), "StoreChanged", stale);
  // The order service applies the stream in order: once store 2's later change shows, the
  // stale one has been handled.
  Api owner2{platform.gateway_port()};
  owner2.login("owner2");
  ASSERT_EQ(put(owner2, "/stores/2/menu/202", {{"price", 5500}}).status, 200);
  Reply priced;
  ASSERT_TRUE(eventually([&] {
    priced = customer.post("/orders", order_request(2, 202, 1));
    return priced.status == 201 && priced.body.at("totalPrice").as_int64() == 5500;
  })) << priced.raw;
  auto refused = customer.post("/orders", order_request(1, 101, 1));
  EXPECT_TRUE(problem(refused, 409)) << refused.raw;
  EXPECT_NE(refused.detail().find("is sold out"), std::string::npos) << refused.raw;
}

TEST_F(StoreOwner, AcceptsWithACookingTimeAndTheCustomerSeesAnEstimatedArrival) {
  auto placed = customer.post("/orders", order_request(1, 101, 1));
  ASSERT_EQ(placed.status, 201) << placed.raw;
  auto id = std::to_string(placed.body.at("orderId").as_int64());
  ASSERT_TRUE(eventually([&] { return owner.get("/foodCookings/" + id).status == 200; }));
  auto too_short = put(owner, "/foodCookings/" + id + "/accept", {{"cookingMinutes", 5}});
  EXPECT_TRUE(problem(too_short, 400)) << too_short.raw;
  EXPECT_NE(too_short.detail().find("cookingMinutes must be between 10 and 60"), std::string::npos);
  auto accepted_at = platform::now_ms();
  auto accepted = put(owner, "/foodCookings/" + id + "/accept", {{"cookingMinutes", 30}});
  ASSERT_EQ(accepted.status, 200) << accepted.raw;

  auto estimate = [&]() -> std::int64_t {
    auto view = customer.get("/orderStatuses/" + id);
    if (view.status != 200 || !view.body.at("estimatedArrival").is_string()) return 0;
    std::string at(view.body.at("estimatedArrival").as_string());
    std::tm tm{};
    strptime(at.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
  };
  constexpr std::int64_t kMinute = 60'000;
  // 30 minutes of cooking, 10 for a rider to take it, 15 for the ride.
  ASSERT_TRUE(eventually([&] { return estimate() != 0; }));
  EXPECT_NEAR(estimate(), accepted_at + 55 * kMinute, kMinute);

  ASSERT_EQ(put(owner, "/foodCookings/" + id + "/start", boost::json::object()).status, 200);
  auto finished_at = platform::now_ms();
  ASSERT_EQ(put(owner, "/foodCookings/" + id + "/finish", boost::json::object()).status, 200);
  // Cooking finished: 10 minutes for a rider, then about 840 m at 250 m a minute: 4.
  ASSERT_TRUE(eventually([&] { return std::llabs(estimate() - (finished_at + 14 * kMinute)) <= kMinute; }))
      << estimate() - finished_at;
}

}  // namespace
