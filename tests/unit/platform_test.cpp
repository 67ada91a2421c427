#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <vector>

#include "platform/http_parse.hpp"
#include "platform/json_text.hpp"
#include "platform/jwt.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"
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

TEST(Request, IdParametersAreDigitsWithoutSignSpaceOrLeadingZero) {
  platform::Request request;
  for (const char* bad : {"abc", "-1", "0", "1 OR 1=1", "99999999999999999999", "9223372036854775808", "01", "+1",
                          " 1", "1 ", "-0", "00", "1e3", "0x1", "١", ""}) {
    request.params["orderId"] = bad;
    auto refused = reason([&] { request.id_param("orderId"); });
    EXPECT_EQ(refused.substr(0, 3), "400") << bad;
    EXPECT_NE(refused.find("path parameter orderId must be a positive integer"), std::string::npos) << refused;
    request.query["storeId"] = bad;
    refused = reason([&] { request.id_query("storeId"); });
    EXPECT_EQ(refused.substr(0, 3), "400") << bad;
    EXPECT_NE(refused.find("query parameter storeId must be a positive integer"), std::string::npos) << refused;
  }
  request.params["orderId"] = "17";
  EXPECT_EQ(request.id_param("orderId"), 17);
  request.query["storeId"] = "9223372036854775807";
  EXPECT_EQ(request.id_query("storeId"), 9223372036854775807);
  request.query.clear();
  EXPECT_EQ(reason([&] { request.id_query("storeId"); }), "400 query parameter storeId is required");
}

TEST(Request, APlusInThePathIsAPlusAndInTheQueryASpace) {
  platform::Request request;
  platform::set_target(request, "/orders/+1?storeId=+1&name=a+b");
  EXPECT_EQ(request.path, "/orders/+1");
  EXPECT_EQ(request.query.at("storeId"), " 1");
  EXPECT_EQ(request.query.at("name"), "a b");
  platform::set_target(request, "/reviews?storeId=%201");
  EXPECT_EQ(request.query.at("storeId"), " 1");
  EXPECT_EQ(reason([&] { request.id_query("storeId"); }).substr(0, 3), "400");
}

TEST(Request, JsonBodyErrorsSayWhatIsWrong) {
  platform::Request request;
  request.body = "{\"a\":";
  EXPECT_NE(reason([&] { request.json_object(); }).find("not valid JSON"), std::string::npos);
  request.body = "[1]";
  EXPECT_NE(reason([&] { request.json_object(); }).find("JSON object"), std::string::npos);
}

TEST(Request, AKeyTwiceInOneObjectIsRefusedByName) {
  platform::Request request;
  const std::vector<std::pair<std::string, std::string>> twice = {
      {R"({"qty":-5,"qty":1})", "qty"},
      {R"({"storeId":1,"items":[{"menuId":101,"qty":-5,"qty":1}]})", "qty"},
      {R"({"a":{"b":{"c":1,"c":1}}})", "c"},
      {R"({"q\u0074y":1,"qty":2})", "qty"},  // the same key, spelled with an escape
      {R"({"":1,"":2})", ""},
      {"{\"" + std::string(5000, 'k') + "\":1,\"" + std::string(5000, 'k') + "\":2}", std::string(5000, 'k')},
  };
  for (const auto& [body, key] : twice) {
    request.body = body;
    EXPECT_EQ(reason([&] { request.json_object(); }), "400 request body has the key '" + key + "' twice in one object")
        << body.substr(0, 80);
  }
  // The same key in two objects is two keys.
  request.body = R"({"items":[{"menuId":101,"qty":1},{"menuId":102,"qty":2}],"a":{"qty":3}})";
  auto body = request.json_object();
  EXPECT_EQ(body.at("items").as_array()[1].at("qty").as_int64(), 2);
  EXPECT_EQ(body.at("a").at("qty").as_int64(), 3);
}

TEST(Request, UnpairedSurrogatesAndInvalidUtf8AreNotJson) {
  platform::Request request;
  for (const char* body : {R"({"a":"\ud800"})", R"({"a":"\udc00x"})", R"({"a":"\ud800\u0041"})", "{\"a\":\"\xed\xa0\x80\"}",
                           "{\"a\":\"\xc0\xaf\"}", "{\"\xff\":1}"}) {
    request.body = body;
    EXPECT_NE(reason([&] { request.json_object(); }).find("400 request body is not valid JSON"), std::string::npos)
        << body;
  }
  request.body = R"({"a":"\ud83c\udf57"})";  // a pair is a character: 🍗
  EXPECT_EQ(request.json_object().at("a").as_string(), "\xF0\x9F\x8D\x97");
}

TEST(Fields, PositiveIdsHaveOneSpelling) {
  using platform::fields::positive_id;
  EXPECT_EQ(positive_id("1"), 1);
  EXPECT_EQ(positive_id("9223372036854775807"), 9223372036854775807);
  for (const char* bad : {"", "0", "01", "+1", "-1", "-0", " 1", "1 ", "1\n", "9223372036854775808", "1.0", "x"})
    EXPECT_FALSE(positive_id(bad)) << bad;
}

TEST(Fields, TextRefusesControlAndBidiCharactersNamingTheField) {
  auto read = [](const std::string& value, bool prose) {
    boost::json::object body{{"address", value}};
    return reason([&] {
      prose ? platform::fields::prose(body, "address", 200) : platform::fields::text(body, "address", 200);
    });
  };
  EXPECT_EQ(read("서울 강남구 테헤란로 152", false), "accepted");
  EXPECT_EQ(read(std::string("a\0b", 3), false), "400 address must not contain the control character U+0000");
  for (const char* bad : {"a\nb", "a\rb", "a\tb", "\x1b[31m", "a\x7f", "a\xc2\x85" "b", "a\xc2\x9f"})
    EXPECT_NE(read(bad, false).find("400 address must not contain the control character U+"), std::string::npos) << bad;
  // U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C
  for (const char* bidi : {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                           "\u200e", "\u200f", "\u061c"}) {
    EXPECT_NE(read(std::string("invoice") + bidi + "txt.exe", false)
                  .find("400 address must not contain the bidirectional formatting character U+"),
              std::string::npos)
        << bidi;
    EXPECT_NE(read(std::string("x") + bidi, true).find("bidirectional"), std::string::npos) << bidi;
  }
  EXPECT_EQ(read("\u202e", false), "400 address must not contain the bidirectional formatting character U+202E");
  // Free text keeps its lines, and nothing else of the control characters.
  EXPECT_EQ(read("맛있어요!\n또 시킬게요", true), "accepted");
  EXPECT_NE(read("a\r\nb", true).find("U+000D; of the control characters only a newline is allowed"), std::string::npos);
  EXPECT_NE(read("a\tb", true).find("U+0009"), std::string::npos);
  // Made elsewhere than by the parser: checked all the same.
  EXPECT_EQ(read("\xed\xa0\x80", false), "400 address must not contain the surrogate U+D800");
  EXPECT_EQ(read("\xff", false), "400 address must not contain invalid UTF-8");
  // Zero-width joiners and other format characters that do not reorder text stay allowed.
  EXPECT_EQ(read("👩\u200d🍳 \u00a0ok", false), "accepted");
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
