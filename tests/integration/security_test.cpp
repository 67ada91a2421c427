// The security model from outside, through the gateway: who may call, what they may touch,
// and hostile input that must be refused without changing anything.
#include <gtest/gtest.h>

#include <fstream>

#include "platform/clock.hpp"
#include "platform/jwt.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;

class Security : public ::testing::Test {
 protected:
  fd::test::TestPlatform platform;
  Api customer{platform.gateway_port()};

  void SetUp() override { customer.login("customer1"); }

  std::string secret() {
    std::ifstream in(platform.data_dir() + "/jwt.secret");
    std::string text;
    in >> text;
    return text;
  }

  std::int64_t place() {
    auto reply = customer.post("/orders", {{"storeId", 1},
                                           {"items", {{{"menuId", 104}, {"qty", 1}}}},
                                           {"address", "서울"},
                                           {"lat", 37.5},
                                           {"lon", 127.03}});
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.status == 201 ? reply.body.at("orderId").as_int64() : 0;
  }
};

TEST_F(Security, MissingExpiredForgedAndAlgNoneTokensAre401) {
  Api anonymous(platform.gateway_port());
  EXPECT_EQ(anonymous.get("/orderStatuses").status, 401);

  auto now = platform::now_s();
  anonymous.token(platform::sign_jwt({"customer1", "customer", "", now - 7200, now - 3600, "expired"}, secret()));
  auto expired = anonymous.get("/orderStatuses");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.raw.find("expired"), std::string::npos);

  anonymous.token(platform::sign_jwt({"customer1", "customer", "", now, now + 600}, "not-the-secret"));
  EXPECT_EQ(anonymous.get("/orderStatuses").status, 401);

  auto real = customer.token();
  auto payload = real.substr(real.find('.') + 1, real.rfind('.') - real.find('.') - 1);
  anonymous.token("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".");
  EXPECT_EQ(anonymous.get("/orderStatuses").status, 401);
  for (const char* target : {"/orders", "/foodCookings", "/deliveries", "/notifications", "/orderStatuses"})
    EXPECT_EQ(anonymous.get(target).status, 401) << target;
}

TEST_F(Security, LogoutRevokesTheTokenInEveryServiceAndRefreshRotates) {
  Api session(platform.gateway_port());
  auto login = session.post("/auth/login", {{"username", "customer2"}, {"password", "demo1234"}});
  ASSERT_EQ(login.status, 200);
  auto refresh = std::string(login.body.at("refreshToken").as_string());
  session.token(std::string(login.body.at("accessToken").as_string()));
  EXPECT_EQ(session.get("/orderStatuses").status, 200);

  auto rotated = session.post("/auth/refresh", {{"refreshToken", refresh}});
  ASSERT_EQ(rotated.status, 200) << rotated.raw;

  EXPECT_EQ(session.call("POST", "/auth/logout").status, 204);
  // Every service hears of it by event and refuses the token from then on.
  EXPECT_TRUE(eventually([&] { return session.get("/orderStatuses").status == 401; }));
  EXPECT_TRUE(eventually([&] { return session.get("/orders").status == 401; }));
  EXPECT_TRUE(eventually([&] { return session.get("/auth/me").status == 401; }));
  EXPECT_EQ(session.post("/auth/refresh", {{"refreshToken", std::string(rotated.body.at("refreshToken").as_string())}})
                .status,
            401);
}

// The browser's session: the refresh token in an HttpOnly cookie scoped to /auth.
TEST_F(Security, TheRefreshTokenTravelsInAnHttpOnlyCookieThatLogoutClears) {
  Api browser(platform.gateway_port());
  auto login = browser.post("/auth/login", {{"username", "customer2"}, {"password", "demo1234"}});
  ASSERT_EQ(login.status, 200) << login.raw;
  auto body_token = std::string(login.body.at("refreshToken").as_string());
  EXPECT_EQ(login.header("Set-Cookie"),
            "fd_refresh=" + body_token + "; Path=/auth; Max-Age=2592000; HttpOnly; SameSite=Strict");
  auto cookie = [](const fd::test::Reply& reply) {
    auto set = reply.header("Set-Cookie");
    return set.substr(0, set.find(';'));
  };

  // No body, then {}: the cookie is the token, and each answer sets the next one.
  auto first = browser.call("POST", "/auth/refresh", "", {{"Cookie", "theme=dark; " + cookie(login)}});
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_NE(cookie(first), cookie(login));
  EXPECT_EQ(cookie(first), "fd_refresh=" + std::string(first.body.at("refreshToken").as_string()));
  auto second = browser.call("POST", "/auth/refresh", "{}", {{"Cookie", cookie(first)}});
  ASSERT_EQ(second.status, 200) << second.raw;
  auto none = browser.call("POST", "/auth/refresh", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.raw.find("fd_refresh"), std::string::npos) << none.raw;

  // A token in the body wins over the cookie, whichever of them works.
  auto other = Api(platform.gateway_port()).post("/auth/login", {{"username", "customer1"}, {"password", "demo1234"}});
  auto other_token = std::string(other.body.at("refreshToken").as_string());
  auto by_body = browser.call("POST", "/auth/refresh", boost::json::serialize(boost::json::object{{"refreshToken", other_token}}),
                              {{"Cookie", cookie(second)}});
  ASSERT_EQ(by_body.status, 200) << by_body.raw;
  EXPECT_EQ(by_body.body.at("username").as_string(), "customer1");
  EXPECT_EQ(browser.call("POST", "/auth/refresh", boost::json::serialize(boost::json::object{{"refreshToken", other_token}}),
                         {{"Cookie", cookie(second)}})
                .status,
            401);

  // Secure when the client came over TLS (the gateway in front says so).
  fd::test::Api direct(platform.port("auth"));
  auto tls = direct.call("POST", "/auth/login", R"({"username":"customer2","password":"demo1234"})",
                         {{"X-Forwarded-Proto", "https"}});
  EXPECT_NE(tls.header("Set-Cookie").find("; Secure"), std::string::npos) << tls.header("Set-Cookie");

  browser.token(std::string(second.body.at("accessToken").as_string()));
  auto logout = browser.call("POST", "/auth/logout", "", {{"Cookie", cookie(second)}});
  EXPECT_EQ(logout.status, 204);
  EXPECT_EQ(logout.header("Set-Cookie"), "fd_refresh=; Path=/auth; Max-Age=0; HttpOnly; SameSite=Strict");
  EXPECT_EQ(browser.call("POST", "/auth/refresh", "", {{"Cookie", cookie(second)}}).status, 401);
  auto spent = browser.call("POST", "/auth/refresh", "", {{"Cookie", cookie(first)}});
  EXPECT_EQ(spent.status, 401);
  EXPECT_EQ(spent.content_type, "application/problem+json");
}

// A login's tokens (its session, `sid` in its access tokens) are ended together.
struct Login {
  std::string access, refresh;
};

Login log_in(int gateway_port, const std::string& username) {
  auto reply = Api(gateway_port).post("/auth/login", {{"username", username}, {"password", "demo1234"}});
  EXPECT_EQ(reply.status, 200) << reply.raw;
  return {std::string(reply.body.at("accessToken").as_string()), std::string(reply.body.at("refreshToken").as_string())};
}

TEST_F(Security, ReusingASpentRefreshTokenEndsItsLoginInEveryService) {
  auto stolen = log_in(platform.gateway_port(), "customer2");
  auto other = log_in(platform.gateway_port(), "customer2");  // another device of the same customer
  Api owner(platform.gateway_port());
  auto rotated = owner.post("/auth/refresh", {{"refreshToken", stolen.refresh}});
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  Login newest{std::string(rotated.body.at("accessToken").as_string()),
               std::string(rotated.body.at("refreshToken").as_string())};
  Api with_newest(platform.gateway_port());
  with_newest.token(newest.access);
  ASSERT_EQ(with_newest.get("/orders").status, 200);

  // Whoever used the spent token, the login ends: its newest refresh token and every access
  // token issued in it, in every service.
  auto reuse = Api(platform.gateway_port()).post("/auth/refresh", {{"refreshToken", stolen.refresh}});
  EXPECT_EQ(reuse.status, 401);
  EXPECT_NE(reuse.raw.find("already used"), std::string::npos) << reuse.raw;
  EXPECT_EQ(owner.post("/auth/refresh", {{"refreshToken", newest.refresh}}).status, 401);
  for (const auto& access : {stolen.access, newest.access}) {
    Api api(platform.gateway_port());
    api.token(access);
    for (const char* path : {"/orders", "/orderStatuses", "/auth/me", "/notifications"})
      EXPECT_TRUE(eventually([&] { return api.get(path).status == 401; })) << path;
  }
  // The warning, with the account, in the log of the auth process that answered.
  auto auth_logs = [&] { return platform.service_log("auth"); };
  EXPECT_TRUE(eventually([&] {
    auto log = auth_logs();
    auto warning = log.find("spent refresh token was used again");
    return warning != std::string::npos && log.find("customer2", warning) != std::string::npos;
  }));

  // The customer's other login goes on.
  Api other_device(platform.gateway_port());
  other_device.token(other.access);
  EXPECT_EQ(other_device.get("/orders").status, 200);
  EXPECT_EQ(other_device.post("/auth/refresh", {{"refreshToken", other.refresh}}).status, 200);
}

TEST_F(Security, LogoutEndsThatLoginAndLogoutEverywhereEveryLoginOfTheAccount) {
  auto phone = log_in(platform.gateway_port(), "customer2");
  auto laptop = log_in(platform.gateway_port(), "customer2");
  Api phone_api(platform.gateway_port()), laptop_api(platform.gateway_port());
  // The phone renews its access token; logging out with the first one ends both.
  auto renewed = phone_api.post("/auth/refresh", {{"refreshToken", phone.refresh}});
  ASSERT_EQ(renewed.status, 200);
  auto renewed_access = std::string(renewed.body.at("accessToken").as_string());
  phone_api.token(phone.access);
  EXPECT_EQ(phone_api.call("POST", "/auth/logout?everywhere=maybe").status, 400);
  EXPECT_EQ(phone_api.call("POST", "/auth/logout").status, 204);
  for (const auto& access : {phone.access, renewed_access}) {
    phone_api.token(access);
    EXPECT_TRUE(eventually([&] { return phone_api.get("/orderStatuses").status == 401; }));
    EXPECT_TRUE(eventually([&] { return phone_api.get("/orders").status == 401; }));
  }
  EXPECT_EQ(phone_api.post("/auth/refresh", {{"refreshToken", std::string(renewed.body.at("refreshToken").as_string())}})
                .status,
            401);
  laptop_api.token(laptop.access);
  EXPECT_EQ(laptop_api.get("/orders").status, 200) << "another login of the account is not ended";

  // Everywhere: every login of the account, in every service, and nobody else's.
  auto tablet = log_in(platform.gateway_port(), "customer2");
  Api tablet_api(platform.gateway_port());
  tablet_api.token(tablet.access);
  EXPECT_EQ(tablet_api.call("POST", "/auth/logout?everywhere=true").status, 204);
  for (const auto& access : {laptop.access, tablet.access}) {
    Api api(platform.gateway_port());
    api.token(access);
    EXPECT_TRUE(eventually([&] { return api.get("/orderStatuses").status == 401; }));
    EXPECT_TRUE(eventually([&] { return api.get("/auth/me").status == 401; }));
  }
  EXPECT_EQ(laptop_api.post("/auth/refresh", {{"refreshToken", laptop.refresh}}).status, 401);
  EXPECT_EQ(customer.get("/orders").status, 200) << "customer1 is not logged out";
  // A new login works at once.
  Api again(platform.gateway_port());
  again.login("customer2");
  EXPECT_EQ(again.get("/orders").status, 200);
}

TEST_F(Security, ACustomerCanSignUpAndOrderButNotAsSomeoneElse) {
  Api newcomer(platform.gateway_port());
  auto created = newcomer.post("/auth/signup", {{"username", "newbie"}, {"password", "correct horse"}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body.at("role").as_string(), "customer");
  EXPECT_EQ(newcomer.post("/auth/signup", {{"username", "newbie"}, {"password", "correct horse"}}).status, 409);
  EXPECT_EQ(newcomer.post("/auth/signup", {{"username", "owner9"}, {"password", "correct horse"}, {"role", "owner"}})
                .status,
            400);
  newcomer.login("newbie", "correct horse");
  auto id = place();
  EXPECT_EQ(newcomer.get("/orders/" + std::to_string(id)).status, 404);
}

TEST_F(Security, OwnershipIsEnforcedInsideEachService) {
  auto id = place();
  auto order = std::to_string(id);
  Api owner(platform.gateway_port()), owner2(platform.gateway_port()), customer2(platform.gateway_port()),
      rider(platform.gateway_port());
  owner.login("owner1");
  owner2.login("owner2");
  customer2.login("customer2");
  rider.login("rider1");
  ASSERT_TRUE(eventually([&] { return owner.get("/foodCookings/" + order).status == 200; }));
  EXPECT_EQ(customer2.get("/orders/" + order).status, 404);
  EXPECT_EQ(customer2.get("/orderStatuses/" + order).status, 404);
  EXPECT_EQ(customer2.call("PUT", "/orders/" + order + "/cancel").status, 404);
  EXPECT_EQ(owner2.call("PUT", "/foodCookings/" + order + "/accept").status, 404);
  EXPECT_EQ(rider.call("PUT", "/orders/" + order + "/deliveryconfirm").status, 403);
  EXPECT_EQ(customer.get("/internal/routes").status, 404);
  EXPECT_EQ(customer.call("PUT", "/internal/foodCookings/" + order + "/cancel").status, 404);
  EXPECT_EQ(owner.get("/foodCookings/" + order).body.at("status").as_string(), "REQUESTED");
}

TEST_F(Security, HostileInputIs400AndChangesNothing) {
  auto first = place();
  Api owner(platform.gateway_port());
  owner.login("owner1");
  ASSERT_TRUE(eventually([&] { return owner.get("/foodCookings/" + std::to_string(first)).status == 200; }));
  auto events_before = platform::read_stream(platform.nats_url()).size();

  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"malformed JSON", R"({"storeId":1,)"},
      {"wrong type", R"({"storeId":"one","items":[{"menuId":104,"qty":1}],"address":"a","lat":1,"lon":1})"},
      {"huge number", R"({"storeId":1e400,"items":[{"menuId":104,"qty":1}],"address":"a","lat":1,"lon":1})"},
      {"huge integer", R"({"storeId":123456789012345678901234567890,"items":[{"menuId":104,"qty":1}],"address":"a","lat":1,"lon":1})"},
      {"invalid UTF-8", "{\"storeId\":1,\"items\":[{\"menuId\":104,\"qty\":1}],\"address\":\"\xff\xfe\",\"lat\":1,\"lon\":1}"},
      {"SQL injection", R"({"storeId":1,"items":[{"menuId":"104; DROP TABLE orders","qty":1}],"address":"a","lat":1,"lon":1})"},
      {"deep nesting", std::string(200, '[') + std::string(200, ']')},
      {"unknown field", R"({"storeId":1,"items":[{"menuId":104,"qty":1}],"address":"a","lat":1,"lon":1,"status":"PAID"})"},
  };
  for (const auto& [name, body] : bodies) {
    auto reply = customer.call("POST", "/orders", body);
    EXPECT_EQ(reply.status, 400) << name << ": " << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json") << name;
  }
  auto login = customer.call("POST", "/auth/login", R"({"username":"customer1' OR '1'='1","password":"x' OR '1'='1"})");
  EXPECT_EQ(login.status, 401);
  EXPECT_EQ(owner.call("PUT", "/foodCookings/1%20OR%201=1/accept").status, 400);
  auto big = customer.call("POST", "/orders", std::string(70 * 1024, ' '));
  EXPECT_EQ(big.status, 413);

  EXPECT_EQ(platform::read_stream(platform.nats_url()).size(), events_before);
  EXPECT_EQ(place(), first + 1);
}

}  // namespace
