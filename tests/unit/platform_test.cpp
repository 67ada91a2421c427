#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "platform/json_text.hpp"
#include "platform/jwt.hpp"
#include "platform/problem.hpp"
#include "platform/router.hpp"

namespace {

using platform::Claims;

std::string reason(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    return std::to_string(problem.status) + " " + problem.detail;
  }
  return "accepted";
}

TEST(Jwt, RoundTripsClaims) {
  Claims claims{"owner1", "owner", "1", 100, 200};
  auto verified = platform::verify_jwt(platform::sign_jwt(claims, "secret"), "secret", 150);
  EXPECT_EQ(verified.subject, "owner1");
  EXPECT_EQ(verified.role, "owner");
  EXPECT_EQ(verified.store_id, "1");
}

TEST(Jwt, RefusesExpiredForgedAndAlgNoneTokens) {
  auto token = platform::sign_jwt({"customer1", "customer", "", 100, 200}, "secret");
  EXPECT_NE(reason([&] { platform::verify_jwt(token, "secret", 200); }).find("401 token has expired"), std::string::npos);
  EXPECT_NE(reason([&] { platform::verify_jwt(token, "other", 150); }).find("signature"), std::string::npos);
  auto payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  // {"alg":"none","typ":"JWT"} in base64url, the classic downgrade.
  auto none = std::string("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.") + payload + ".";
  EXPECT_NE(reason([&] { platform::verify_jwt(none, "secret", 150); }).find("HS256"), std::string::npos);
  EXPECT_NE(reason([&] { platform::verify_jwt("garbage", "secret", 150); }).find("401"), std::string::npos);
}

TEST(Router, BindsPathParametersAndAnswers404And405) {
  platform::Router router;
  router.add("GET", "/orders/{orderId}", [](platform::Request& r) {
    return platform::Response{200, "text/plain", r.param("orderId"), {}};
  });
  platform::Request get{"GET", "/orders/42", "/orders/42"};
  EXPECT_EQ(router.dispatch(get).body, "42");
  platform::Request put{"PUT", "/orders/42", "/orders/42"};
  EXPECT_EQ(reason([&] { router.dispatch(put); }).substr(0, 3), "405");
  platform::Request missing{"GET", "/nothing", "/nothing"};
  EXPECT_EQ(reason([&] { router.dispatch(missing); }).substr(0, 3), "404");
}

TEST(Request, IdParametersMustBePositiveIntegers) {
  platform::Request request;
  for (const char* bad : {"abc", "-1", "0", "1 OR 1=1", "99999999999999999999"}) {
    request.params["orderId"] = bad;
    EXPECT_EQ(reason([&] { request.id_param("orderId"); }).substr(0, 3), "404") << bad;
  }
  request.params["orderId"] = "17";
  EXPECT_EQ(request.id_param("orderId"), 17);
}

TEST(Request, JsonBodyErrorsSayWhatIsWrong) {
  platform::Request request;
  request.body = "{\"a\":";
  EXPECT_NE(reason([&] { request.json_object(); }).find("not valid JSON"), std::string::npos);
  request.body = "[1]";
  EXPECT_NE(reason([&] { request.json_object(); }).find("JSON object"), std::string::npos);
}

}  // namespace

namespace {

TEST(JsonText, WritesDoublesPlainlyAndEverythingElseAsBoostDoes) {
  boost::json::value value = {{"lat", 37.4979}, {"n", 3}, {"s", "교촌 \"치킨\""}, {"a", {1.5, nullptr, true}}};
  EXPECT_EQ(platform::to_json(value), R"({"lat":37.4979,"n":3,"s":"교촌 \"치킨\"","a":[1.5,null,true]})");
  EXPECT_EQ(boost::json::parse(platform::to_json(value)), value);
}

}  // namespace

namespace {

TEST(JsonText, AlwaysWritesWellFormedUtf8) {
  boost::json::value value = {{"detail", std::string("no resource at /\xff/\xc0\xaf/\xed\xa0\x80/교촌")}};
  auto text = platform::to_json(value);
  boost::system::error_code ec;
  auto parsed = boost::json::parse(text, ec);
  ASSERT_FALSE(ec) << text;
  EXPECT_EQ(parsed.at("detail").as_string(), "no resource at /\xEF\xBF\xBD/\xEF\xBF\xBD\xEF\xBF\xBD/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD/교촌");
}

TEST(Problem, QuotingAClientsInvalidBytesStillGivesJson) {
  auto response = platform::problem_response(404, "Not Found", "no resource at /\xff");
  boost::system::error_code ec;
  boost::json::parse(response.body, ec);
  EXPECT_FALSE(ec) << response.body;
}

}  // namespace
