// The platform's real answers hold to docs/openapi.json, as a standard validator reads it:
// the whole journey is driven through the gateway (and each service's /health on its own
// port), every answer is recorded (method, target, status, Content-Type, body), and Ajv
// (tests/openapi/validate-responses.mjs, its npm packages installed by make test) checks
// each against the documented response of its operation and status; an undocumented
// status or media type fails too.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "platform/http_client.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::Reply;

// Every answer the journey got, in the form validate-responses.mjs reads.
class Recording {
 public:
  Reply call(Api& api, const std::string& method, const std::string& target, const std::string& body = {}) {
    auto reply = api.call(method, target, body);
    add(method, target, reply.status, reply.content_type, reply.raw);
    return reply;
  }
  Reply get(Api& api, const std::string& target) { return call(api, "GET", target); }
  Reply post(Api& api, const std::string& target, const boost::json::value& body) {
    return call(api, "POST", target, boost::json::serialize(body));
  }
  void login(Api& api, const std::string& username) {
    api.token("");
    auto reply = post(api, "/auth/login", {{"username", username}, {"password", "demo1234"}});
    if (reply.status != 200) throw std::runtime_error("login as " + username + ": " + reply.raw);
    api.token(std::string(reply.body.at("accessToken").as_string()));
  }
  void add(const std::string& method, const std::string& target, int status, const std::string& content_type,
           const std::string& body) {
    answers_.push_back(
        {{"method", method}, {"target", target}, {"status", status}, {"contentType", content_type}, {"body", body}});
  }
  // Writes the answers to `path` and has the validator check them; its exit status and output.
  fd::test::CommandResult validate(const std::string& path) const {
    std::ofstream(path) << boost::json::serialize(answers_);
    const std::string source = FD_SOURCE_DIR;
    return fd::test::run_command("node " + source + "/tests/openapi/validate-responses.mjs " + source +
                                 "/docs/openapi.json " + path);
  }

 private:
  boost::json::array answers_;
};

// Whether a 200's JSON body has `key` equal to the text `expected` (a null is no text).
bool has(const Reply& reply, const std::string& key, const std::string& expected) {
  if (reply.status != 200 || !reply.body.is_object()) return false;
  const auto* value = reply.body.as_object().if_contains(key);
  return value && value->is_string() && value->as_string() == expected;
}

// The path and query of a HAL link's href (absolute or not).
std::string target_of(const boost::json::value& link) {
  std::string href(link.at("href").as_string());
  if (auto scheme = href.find("://"); scheme != std::string::npos) href = href.substr(href.find('/', scheme + 3));
  return href;
}

TEST(OpenApiResponses, TheWholeJourneyAnswersAsDocumented) {
  fd::test::TestPlatform platform;
  const int gateway = platform.gateway_port();
  Api customer(gateway), owner(gateway), rider(gateway), anonymous(gateway), newcomer(gateway);
  Recording recording;

  // The health checks: the gateway's own, and each service's on its port.
  recording.get(anonymous, "/health");
  for (const char* service : {"auth", "order", "payment", "store", "customer", "rider"}) {
    platform::HttpClient direct("127.0.0.1", static_cast<std::uint16_t>(platform.port(service)),
                                std::chrono::seconds(10));
    auto reply = direct.get("/health");
    recording.add("GET", "/health", reply.status, reply.content_type, reply.body);
  }

  // Accounts and tokens.
  recording.login(customer, "customer1");
  recording.login(owner, "owner1");
  recording.login(rider, "rider1");
  recording.get(customer, "/auth/me");
  auto signed_up = recording.post(newcomer, "/auth/signup",
                                  {{"username", "openapi_newcomer"}, {"password", "correct horse battery"}});
  ASSERT_EQ(signed_up.status, 201) << signed_up.raw;
  auto refreshed = recording.post(newcomer, "/auth/refresh", {{"refreshToken", signed_up.body.at("refreshToken")}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.raw;
  newcomer.token(std::string(refreshed.body.at("accessToken").as_string()));
  EXPECT_EQ(recording.call(newcomer, "POST", "/auth/logout").status, 204);
  // A refusal (problem+json), once the revocation has reached the auth service's check.
  EXPECT_TRUE(eventually([&] { return recording.get(newcomer, "/auth/me").status == 401; }));

  // Stores and their menus, as anyone sees them.
  recording.get(anonymous, "/stores");
  recording.get(anonymous, "/stores/1");
  EXPECT_EQ(recording.get(anonymous, "/stores/999999").status, 404);

  // The rider reports where they are, near store 1 (강남역).
  ASSERT_EQ(recording.call(rider, "PUT", "/riders/me/location", R"({"lat":37.4985,"lon":127.0300})").status, 200);
  recording.get(rider, "/riders/me/location");

  // Place an order, paid by the event that follows.
  auto placed = recording.post(customer, "/orders", fd::test::order_request(1, 101, 2));
  ASSERT_EQ(placed.status, 201) << placed.raw;
  const auto id = std::to_string(placed.body.at("orderId").as_int64());
  recording.get(customer, "/orders/" + id);
  EXPECT_TRUE(eventually([&] { return has(recording.get(customer, "/payments/" + id), "status", "APPROVED"); }));
  EXPECT_TRUE(eventually([&] { return has(recording.get(owner, "/foodCookings/" + id), "status", "REQUESTED"); }));
  recording.get(owner, "/foodCookings");

  // The owner accepts, cooks and finishes.
  for (const char* command : {"accept", "start", "finish"})
    ASSERT_EQ(recording.call(owner, "PUT", "/foodCookings/" + id + "/" + command).status, 200) << command;
  EXPECT_EQ(recording.call(owner, "PUT", "/foodCookings/" + id + "/accept").status, 409);  // a refusal

  // A nearby rider sees the delivery, takes it and picks it up.
  EXPECT_TRUE(eventually([&] {
    auto list = recording.get(rider, "/deliveries");
    return list.status == 200 && list.raw.find("\"orderId\":" + id) != std::string::npos;
  }));
  recording.get(rider, "/deliveries/" + id);
  ASSERT_EQ(recording.call(rider, "PUT", "/deliveries/" + id + "/assign").status, 200);
  ASSERT_EQ(recording.call(rider, "PUT", "/deliveries/" + id + "/pick").status, 200);
  EXPECT_TRUE(eventually([&] { return has(recording.get(customer, "/orders/" + id), "status", "PICKED_UP"); }));
  // The rider's own list, and the position of the rider carrying it, as the customer sees it.
  recording.get(rider, "/riders/me/deliveries");
  const auto position = "/deliveries/" + id + "/position";
  EXPECT_EQ(recording.call(rider, "PUT", position, R"({"lat":91,"lon":127.03})").status, 400);
  ASSERT_EQ(recording.call(rider, "PUT", position, R"({"lat":37.4990,"lon":127.0310})").status, 200);
  // Within the interval: 429, or 200 on a machine slow enough for 3 s to pass; both documented.
  recording.call(rider, "PUT", position, R"({"lat":37.4995,"lon":127.0320})");
  EXPECT_TRUE(eventually([&] {
    auto view = recording.get(customer, "/orderStatuses/" + id);
    return view.status == 200 && view.body.at("riderPosition").is_object();
  }));

  // The customer confirms and reviews; the owner reads the review.
  ASSERT_EQ(recording.call(customer, "PUT", "/orders/" + id + "/deliveryconfirm").status, 200);
  EXPECT_TRUE(eventually([&] { return has(recording.get(customer, "/payments/" + id), "status", "SETTLED"); }));
  EXPECT_TRUE(eventually([&] {
    return has(recording.get(customer, "/orderStatuses/" + id), "paymentStatus", "SETTLED");
  }));
  auto review = recording.post(customer, "/reviews", {{"orderId", placed.body.at("orderId")}, {"rating", 5},
                                                      {"content", "맛있어요"}});
  ASSERT_EQ(review.status, 201) << review.raw;
  recording.get(anonymous, "/reviews/" + std::to_string(review.body.at("reviewId").as_int64()));
  recording.get(owner, "/reviews?storeId=1");
  // Refusals: a review of an order that is not the caller's is 404, a second one 409, and
  // the owner may not review.
  EXPECT_EQ(recording.post(customer, "/reviews", {{"orderId", 999999}, {"rating", 5}, {"content", ""}}).status, 404);
  EXPECT_EQ(recording.post(customer, "/reviews", {{"orderId", placed.body.at("orderId")}, {"rating", 4},
                                                  {"content", "again"}}).status, 409);
  EXPECT_EQ(recording.post(owner, "/reviews", {{"orderId", placed.body.at("orderId")}, {"rating", 4},
                                               {"content", "x"}}).status, 403);

  // A second order canceled before cooking, a third rejected by the owner; then a refusal
  // of bad input.
  auto second = recording.post(customer, "/orders", fd::test::order_request(1, 101, 1));
  ASSERT_EQ(second.status, 201) << second.raw;
  const auto canceled = std::to_string(second.body.at("orderId").as_int64());
  EXPECT_TRUE(eventually([&] { return has(recording.get(customer, "/orders/" + canceled), "status", "PAID"); }));
  ASSERT_EQ(recording.call(customer, "PUT", "/orders/" + canceled + "/cancel").status, 200);
  auto third = recording.post(customer, "/orders", fd::test::order_request(1, 101, 1));
  ASSERT_EQ(third.status, 201) << third.raw;
  const auto rejected = std::to_string(third.body.at("orderId").as_int64());
  EXPECT_TRUE(eventually([&] { return has(recording.get(owner, "/foodCookings/" + rejected), "status", "REQUESTED"); }));
  ASSERT_EQ(recording.call(owner, "PUT", "/foodCookings/" + rejected + "/reject", R"({"reason":"재료 소진"})").status,
            200);
  EXPECT_EQ(recording.post(customer, "/orders", fd::test::order_request(1, 101, 0)).status, 400);
  EXPECT_EQ(recording.call(customer, "PUT", "/orders/01/cancel").status, 400);

  // The customer's view and messages, by every page's links.
  EXPECT_TRUE(eventually([&] {
    return has(recording.get(customer, "/orderStatuses/" + rejected), "status", "REJECTED");
  }));
  EXPECT_TRUE(eventually([&] {
    return has(recording.get(customer, "/orderStatuses/" + canceled), "status", "CANCELED");
  }));
  for (const char* collection : {"/orders", "/orderStatuses", "/notifications"}) {
    std::string target = std::string(collection) + "?size=2";
    for (int pages = 0; !target.empty(); ++pages) {
      ASSERT_LT(pages, 100) << collection << ": no last page";
      auto page = recording.get(customer, target);
      ASSERT_EQ(page.status, 200) << target << ": " << page.raw;
      const auto& links = page.body.at("_links").as_object();
      target = links.contains("next") ? target_of(links.at("next")) : "";
    }
  }
  auto messages = recording.get(customer, "/notifications?size=1");
  ASSERT_EQ(messages.status, 200);
  recording.get(customer, "/notifications/" +
                              std::to_string(messages.body.at("_embedded").at("notifications").as_array()[0].at(
                                  "notificationId").as_int64()));
  recording.get(customer, "/orders?page=0&size=1&sort=placedAt,desc");

  // Operators onboard (role admin): a rider and a store's owner made, accounts listed and
  // read, one disabled (its login refused) and enabled again; and the refusals.
  Api admin(gateway);
  recording.login(admin, "admin");
  const boost::json::object new_rider{
      {"role", "rider"}, {"username", "openapi_rider"}, {"password", "correct horse battery"}};
  ASSERT_EQ(recording.post(admin, "/auth/accounts", new_rider).status, 201);
  ASSERT_EQ(recording.post(admin, "/auth/accounts", {{"role", "owner"}, {"username", "openapi_owner"},
                                                      {"password", "correct horse battery"},
                                                      {"displayName", "강남 사장"}, {"storeId", 1}})
                .status,
            201);
  recording.get(admin, "/auth/accounts?role=owner&sort=username,asc&size=2");
  recording.get(admin, "/auth/accounts/openapi_owner");
  ASSERT_EQ(recording.call(admin, "PUT", "/auth/accounts/openapi_rider/disable").status, 200);
  EXPECT_EQ(recording.post(anonymous, "/auth/login", {{"username", "openapi_rider"},
                                                      {"password", "correct horse battery"}}).status,
            403);
  ASSERT_EQ(recording.call(admin, "PUT", "/auth/accounts/openapi_rider/enable").status, 200);
  EXPECT_EQ(recording.call(admin, "PUT", "/auth/accounts/openapi_rider/enable").status, 409);
  EXPECT_EQ(recording.post(admin, "/auth/accounts", new_rider).status, 409);
  EXPECT_EQ(recording.post(admin, "/auth/accounts", {{"role", "customer"}, {"username", "openapi_customer"},
                                                      {"password", "correct horse battery"}}).status,
            400);
  EXPECT_EQ(recording.get(admin, "/auth/accounts/nobody").status, 404);
  EXPECT_EQ(recording.get(customer, "/auth/accounts").status, 403);

  // --- Owners run their store (issue 16): the admin creates one; owner1 changes store 1's
  // menu and terms, and is refused for another's store, an unknown item and a conflict.
  auto created = recording.post(admin, "/stores",
                                {{"name", "교촌치킨 역삼점"}, {"category", "치킨"}, {"address", "서울 강남구 역삼로 180"},
                                 {"lat", 37.4955}, {"lon", 127.0330}, {"menu", {{{"name", "허니콤보"}, {"price", 23000}}}},
                                 {"openingHours", {{{"day", "MON"}, {"opens", "11:00"}, {"closes", "22:00"}}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  recording.get(anonymous, "/stores/" + std::to_string(created.body.at("storeId").as_int64()));
  auto dish = recording.post(owner, "/stores/1/menu", {{"name", "간장치킨"}, {"price", 21000}});
  ASSERT_EQ(dish.status, 201) << dish.raw;
  const auto menu_id = dish.body.at("menuId").as_int64();
  const auto item = "/stores/1/menu/" + std::to_string(menu_id);
  EXPECT_EQ(recording.call(owner, "PUT", item, R"({"price":22000,"description":"간장 소스"})").status, 200);
  EXPECT_EQ(recording.call(owner, "PUT", item + "/soldOut", R"({"soldOut":true})").status, 200);
  EXPECT_TRUE(eventually(
      [&] { return recording.post(customer, "/orders", fd::test::order_request(1, menu_id, 1)).status == 409; }));
  EXPECT_EQ(recording.call(owner, "DELETE", item).status, 204);
  EXPECT_EQ(recording.call(owner, "PUT", "/stores/1/settings",
                           R"({"minimumOrder":10000,"deliveryFees":[{"upToMeters":3000,"fee":1000}]})")
                .status,
            200);
  EXPECT_EQ(recording.call(owner, "PUT", "/stores/2/settings", R"({"open":false})").status, 403);
  EXPECT_EQ(recording.call(owner, "PUT", "/stores/1/menu/999999", R"({"price":1})").status, 404);
  EXPECT_EQ(recording.call(owner, "PUT", "/stores/1/menu/101/soldOut", R"({"soldOut":false})").status, 409);
  EXPECT_EQ(recording.call(owner, "PUT", "/stores/1/settings", R"({"open":"yes"})").status, 400);
  EXPECT_EQ(recording.post(customer, "/stores", {{"name", "x"}}).status, 403);
  recording.get(anonymous, "/stores");
  // --- end: owners run their store

  auto result = recording.validate(fd::test::make_temp_dir("openapi-responses-") + "/recorded.json");
  EXPECT_EQ(result.status, 0) << result.output;
  std::cout << result.output;
}

}  // namespace
