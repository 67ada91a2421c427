#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "platform/clock.hpp"
#include "platform/http_parse.hpp"
#include "platform/identity.hpp"
#include "platform/json_text.hpp"
#include "platform/jwt.hpp"
#include "platform/metrics.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"
#include "platform/router.hpp"
#include "platform/trace.hpp"

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

constexpr std::int64_t kTtl = 900;  // the access lifetime the verifier is told

TEST(Jwt, RoundTripsClaims) {
  Claims claims{"owner1", "owner", "1", 100, 200, "t1"};
  auto verified = platform::verify_jwt(platform::sign_jwt(claims, "secret"), "secret", 150, kTtl);
  EXPECT_EQ(verified.subject, "owner1");
  EXPECT_EQ(verified.role, "owner");
  EXPECT_EQ(verified.store_id, "1");
  EXPECT_EQ(verified.token_id, "t1");
  EXPECT_EQ(verified.issued_at, 100);
  EXPECT_EQ(verified.expires_at, 200);
}

TEST(Jwt, RefusesExpiredForgedAndAlgNoneTokens) {
  auto token = platform::sign_jwt({"customer1", "customer", "", 100, 200, "t1"}, "secret");
  EXPECT_NE(reason([&] { platform::verify_jwt(token, "secret", 200, kTtl); }).find("401 token has expired"),
            std::string::npos);
  EXPECT_NE(reason([&] { platform::verify_jwt(token, "other", 150, kTtl); }).find("signature"), std::string::npos);
  auto payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  // {"alg":"none","typ":"JWT"} in base64url, the classic downgrade.
  auto none = std::string("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.") + payload + ".";
  EXPECT_NE(reason([&] { platform::verify_jwt(none, "secret", 150, kTtl); }).find("HS256"), std::string::npos);
  EXPECT_NE(reason([&] { platform::verify_jwt("garbage", "secret", 150, kTtl); }).find("401"), std::string::npos);
}

// header.payload as written, signed with "secret": what an attacker holding the secret, or
// a broken issuer, could make.
std::string signed_token(const std::string& payload_json) {
  auto input = platform::base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + platform::base64url(payload_json);
  return input + "." + platform::hs256_signature(input, "secret");
}

std::string from_hex(std::string_view hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return bytes;
}

// RFC 4231's test cases 2 and 1: the same digests when a thread's key comes again and after
// another key (a keyed context is kept per thread and reused while its secret is the same).
TEST(Jwt, Hs256SignatureIsHmacSha256AlsoWhenAKeyComesAgainOrChanges) {
  const auto jefe = platform::base64url(from_hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  const auto hi = platform::base64url(from_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
  EXPECT_EQ(platform::hs256_signature("what do ya want for nothing?", "Jefe"), jefe);
  EXPECT_EQ(platform::hs256_signature("what do ya want for nothing?", "Jefe"), jefe);
  EXPECT_EQ(platform::hs256_signature("Hi There", std::string(20, '\x0b')), hi);
  EXPECT_EQ(platform::hs256_signature("what do ya want for nothing?", "Jefe"), jefe);
  std::string other_thread;
  std::thread([&] { other_thread = platform::hs256_signature("Hi There", std::string(20, '\x0b')); }).join();
  EXPECT_EQ(other_thread, hi);
}

TEST(Jwt, OnlyCanonicalBase64urlVerifies) {
  auto token = platform::sign_jwt({"customer1", "customer", "", 100, 200, "t1"}, "secret");
  ASSERT_EQ(reason([&] { platform::verify_jwt(token, "secret", 150, kTtl); }), "accepted");
  // An HMAC-SHA256 is 32 bytes: 43 characters, the last one carrying 4 bits and 2 unused
  // ones. Setting those gives another text for the same bytes, which must not verify.
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto altered = token;
  auto last = kAlphabet.find(altered.back());
  ASSERT_EQ(last & 3, 0u);
  for (std::size_t bits : {1, 2, 3}) {
    altered.back() = kAlphabet[last | bits];
    EXPECT_EQ(reason([&] { platform::verify_jwt(altered, "secret", 150, kTtl); }),
              "401 token is not canonical base64url")
        << altered;
  }
  EXPECT_EQ(reason([&] { platform::verify_jwt(token + "=", "secret", 150, kTtl); }).substr(0, 3), "401");
  EXPECT_EQ(reason([&] { platform::verify_jwt(token + "A", "secret", 150, kTtl); }).substr(0, 3), "401");
  // The payload too: the same claims with a stray bit where the last character has unused
  // ones (2 of them at a length of 4n+3, 4 at 4n+2).
  auto first = token.find('.'), second = token.rfind('.');
  auto payload = token.substr(first + 1, second - first - 1);
  ASSERT_NE(payload.size() % 4, 0u) << payload;
  auto stray = kAlphabet[kAlphabet.find(payload.back()) | 1];
  ASSERT_NE(stray, payload.back());
  auto input = token.substr(0, second - 1) + stray;
  auto resigned = input + "." + platform::hs256_signature(input, "secret");
  EXPECT_EQ(reason([&] { platform::verify_jwt(resigned, "secret", 150, kTtl); }), "401 token is not canonical base64url");
}

TEST(Jwt, JtiAndExpAreRequiredAndExpIsAnInteger) {
  EXPECT_EQ(reason([&] { platform::verify_jwt(signed_token(R"({"sub":"c","role":"customer","exp":200})"), "secret", 150, kTtl); }),
            "401 token lacks jti");
  EXPECT_EQ(reason([&] { platform::verify_jwt(signed_token(R"({"sub":"c","role":"customer","exp":200,"jti":""})"), "secret", 150, kTtl); }),
            "401 token lacks jti");
  EXPECT_EQ(reason([&] { platform::verify_jwt(signed_token(R"({"sub":"c","role":"customer","jti":"t"})"), "secret", 150, kTtl); }),
            "401 token lacks exp");
  for (const char* exp : {"200.0", "\"200\"", "null", "18446744073709551615", "1e3"})
    EXPECT_EQ(reason([&] {
                platform::verify_jwt(signed_token(std::string(R"({"sub":"c","role":"customer","jti":"t","exp":)") + exp + "}"),
                                     "secret", 150, kTtl);
              }),
              "401 token exp must be an integer number of seconds")
        << exp;
  EXPECT_EQ(reason([&] { platform::verify_jwt(signed_token(R"({"sub":"c","role":"customer","jti":"t","exp":200})"), "secret", 150, kTtl); }),
            "accepted");
}

TEST(Jwt, ExpIsAtMostTheLifetimeOfItsKindAhead) {
  const std::int64_t now = 1795312345;
  auto with_exp = [&](const char* role, std::int64_t exp) {
    return reason([&] {
      platform::verify_jwt(platform::sign_jwt({"someone", role, "", now, exp, "t"}, "secret"), "secret", now, kTtl);
    });
  };
  auto leeway = platform::kClockLeewaySeconds;
  EXPECT_EQ(with_exp("customer", now + kTtl), "accepted");
  EXPECT_EQ(with_exp("customer", now + kTtl + leeway), "accepted");
  EXPECT_EQ(with_exp("customer", now + kTtl + leeway + 1), "401 token expires later than a token issued here can; log in again");
  EXPECT_EQ(with_exp("service", now + platform::kServiceTokenSeconds + leeway), "accepted");
  EXPECT_EQ(with_exp("service", now + 3600).substr(0, 3), "401");
  // 2^62 seconds, and the largest int64: refused, not wrapped around into the past.
  EXPECT_EQ(with_exp("customer", std::int64_t{1} << 62).substr(0, 3), "401");
  EXPECT_EQ(with_exp("customer", std::numeric_limits<std::int64_t>::max()).substr(0, 3), "401");
  EXPECT_EQ(with_exp("customer", std::numeric_limits<std::int64_t>::min()), "401 token has expired; log in again");
  EXPECT_EQ(reason([&] {
              platform::verify_jwt(platform::sign_jwt({"c", "customer", "", 0, std::numeric_limits<std::int64_t>::max(), "t"}, "secret"),
                                   "secret", std::numeric_limits<std::int64_t>::min(), kTtl);
            }).substr(0, 3),
            "401");
}

TEST(Jwt, IatIsNotInTheFutureNorLongBeforeExp) {
  const std::int64_t now = 1795312345;
  auto with_iat = [&](std::int64_t iat, std::int64_t exp) {
    return reason([&] {
      platform::verify_jwt(platform::sign_jwt({"c", "customer", "", iat, exp, "t"}, "secret"), "secret", now, kTtl);
    });
  };
  const std::string refused = "401 token iat is not a time it can have been issued at";
  EXPECT_EQ(with_iat(now - 10, now + 600), "accepted");
  EXPECT_EQ(with_iat(now + 5, now + 600), "accepted");  // a clock a little ahead
  EXPECT_EQ(with_iat(now + 600, now + 900), refused);
  EXPECT_EQ(with_iat(now + 700, now + 600), refused);
  EXPECT_EQ(with_iat(now - 86400, now + 600), refused);  // issued to live a day
  EXPECT_EQ(with_iat(std::numeric_limits<std::int64_t>::min(), now + 600), refused);
  EXPECT_EQ(reason([&] { platform::verify_jwt(signed_token(R"({"sub":"c","role":"customer","jti":"t","exp":1795312945,"iat":"x"})"), "secret", now, kTtl); }),
            "401 token iat must be an integer number of seconds");
}

TEST(Jwt, APayloadWithAKeyTwiceOrAStoreIdSpelledOtherwiseIsRefused) {
  const std::int64_t now = 1795312345;
  auto twice = signed_token(R"({"sub":"c","role":"customer","role":"owner","storeId":"1","jti":"t","exp":1795312945})");
  EXPECT_EQ(reason([&] { platform::verify_jwt(twice, "secret", now, kTtl); }),
            "401 token payload has the key 'role' twice in one object");
  for (const char* store : {" 1", "01", "+1", "1 ", "0", "x"})
    EXPECT_EQ(reason([&] {
                platform::verify_jwt(platform::sign_jwt({"owner1", "owner", store, now, now + 60, "t"}, "secret"), "secret",
                                     now, kTtl);
              }),
              "401 token storeId is not a store id")
        << store;
}

TEST(Ids, AreUuidVersion7CarryingTheirMillisecondAndSortAsTextInTheOrderMade) {
  auto before = platform::now_ms();
  auto id = platform::new_id();
  auto after = platform::now_ms();
  ASSERT_EQ(id.size(), 36u) << id;
  for (std::size_t i : {8u, 13u, 18u, 23u}) EXPECT_EQ(id[i], '-') << id;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos) << id;
  EXPECT_EQ(id[14], '7') << "version: " << id;
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << "variant: " << id;
  auto ms = static_cast<std::int64_t>(std::stoull(id.substr(0, 8) + id.substr(9, 4), nullptr, 16));
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after);

  // Made a millisecond or more apart, the later sorts after; many made at once all differ.
  std::vector<std::string> made;
  for (int round = 0; round < 5; ++round) {
    auto start = platform::now_ms();
    while (platform::now_ms() == start) {
    }
    made.push_back(platform::new_id());
  }
  EXPECT_TRUE(std::is_sorted(made.begin(), made.end())) << made.front() << " .. " << made.back();
  std::set<std::string> many;
  for (int i = 0; i < 100000; ++i) many.insert(platform::new_id());
  EXPECT_EQ(many.size(), 100000u);
}

TEST(Identity, ServiceTokensCarryAnIdAndLiveAMinute) {
  platform::Identity identity("secret", kTtl);
  auto token = identity.service_token("order");
  auto claims = platform::verify_jwt(token, "secret", platform::now_s(), kTtl);
  EXPECT_EQ(claims.role, "service");
  EXPECT_FALSE(claims.token_id.empty());
  EXPECT_EQ(claims.expires_at - claims.issued_at, platform::kServiceTokenSeconds);
  EXPECT_NE(platform::verify_jwt(identity.service_token("order"), "secret", platform::now_s(), kTtl).token_id,
            claims.token_id);
  platform::Request request;
  request.headers["authorization"] = "Bearer " + token;
  EXPECT_EQ(identity.require(request, "service").subject, "order");
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

// What a handler throws is answered by the router itself (unwound once), as the server would.
TEST(Router, AProblemAHandlerThrowsIsItsProblemJsonAnswerWithItsHeaders) {
  platform::Router router;
  router.add("GET", "/orders/{orderId}", [](platform::Request&) -> platform::Response {
    throw platform::too_many_requests("slow down", 7);
  });
  platform::Request get{"GET", "/orders/42", "/orders/42"};
  auto answer = router.dispatch(get);
  EXPECT_EQ(answer.status, 429);
  EXPECT_EQ(answer.content_type, "application/problem+json");
  EXPECT_EQ(answer.header("Retry-After"), "7");
  auto body = boost::json::parse(answer.body).as_object();
  EXPECT_EQ(body.at("status"), 429);
  EXPECT_EQ(body.at("detail"), "slow down");
}

// Each route's handling times by status class, the histogram of each found once and counted on.
TEST(Router, CountsEachRoutesAnswersByStatusClass) {
  platform::Router router;
  router.add("GET", "/unit/durations/{id}", [](platform::Request& r) -> platform::Response {
    if (r.param("id") == "1") return platform::Response{200, "text/plain", "one", {}};
    throw platform::not_found("no such thing");
  });
  for (const char* path : {"/unit/durations/1", "/unit/durations/2", "/unit/durations/3", "/unit/durations/1"}) {
    platform::Request get{"GET", path, path};
    router.dispatch(get);
  }
  auto text = platform::metrics::text();
  auto count = [&](const std::string& status) {
    auto name = R"(fd_http_request_duration_seconds_count{method="GET",route="/unit/durations/{id}",status=")" +
                status + "\"} ";
    auto at = text.find(name);
    return at == std::string::npos ? std::string("none") : text.substr(at + name.size(), text.find('\n', at) - at - name.size());
  };
  EXPECT_EQ(count("2xx"), "2");
  EXPECT_EQ(count("4xx"), "2");
}

// The Allow header of a Problem, or "" when it has none.
std::string allow_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    for (const auto& [name, value] : problem.headers)
      if (name == "Allow") return value;
  }
  return "";
}

TEST(Router, A405SaysWhichMethodsThePathTakes) {
  platform::Router router;
  auto answer = [](platform::Request&) { return platform::Response{}; };
  router.add("GET", "/riders/me/location", answer);
  router.add("PUT", "/riders/me/location", answer);
  router.add("PUT", "/orders/{orderId}/cancel", answer);
  platform::Request post{"POST", "/riders/me/location", "/riders/me/location"};
  EXPECT_EQ(reason([&] { router.match(post); }).substr(0, 3), "405");
  EXPECT_EQ(allow_of([&] { router.match(post); }), "GET, HEAD, PUT, OPTIONS");
  platform::Request get{"GET", "/orders/7/cancel", "/orders/7/cancel"};
  EXPECT_EQ(allow_of([&] { router.match(get); }), "PUT, OPTIONS");  // no GET, so no HEAD
}

TEST(Router, HeadRunsTheGetAndOptionsAnswers204WithAllow) {
  platform::Router router;
  router.add("GET", "/orders/{orderId}", [](platform::Request& r) {
    return platform::Response{200, "application/json", "{\"orderId\":" + r.param("orderId") + "}", {}};
  });
  router.add("PUT", "/orders/{orderId}/cancel", [](platform::Request&) { return platform::Response{}; });
  platform::Request head{"HEAD", "/orders/42", "/orders/42"};
  EXPECT_EQ(router.dispatch(head).body, "{\"orderId\":42}");  // the server sends its headers only
  platform::Request options{"OPTIONS", "/orders/42", "/orders/42"};
  auto allowed = router.dispatch(options);
  EXPECT_EQ(allowed.status, 204);
  EXPECT_TRUE(allowed.body.empty());
  EXPECT_EQ(allowed.header("Allow"), "GET, HEAD, OPTIONS");
  platform::Request cancel{"OPTIONS", "/orders/42/cancel", "/orders/42/cancel"};
  EXPECT_EQ(router.dispatch(cancel).header("Allow"), "PUT, OPTIONS");
  platform::Request unknown{"OPTIONS", "/nothing", "/nothing"};
  EXPECT_EQ(reason([&] { router.dispatch(unknown); }).substr(0, 3), "404");
  platform::Request head_of_put{"HEAD", "/orders/42/cancel", "/orders/42/cancel"};
  EXPECT_EQ(allow_of([&] { router.dispatch(head_of_put); }), "PUT, OPTIONS");
}

TEST(Identity, A401NamesTheBearerSchemeAndARefusedTokenIsInvalidToken) {
  platform::Identity identity("secret", kTtl);
  auto challenge = [&](const std::string& authorization) {
    platform::Request request;
    if (!authorization.empty()) request.headers["authorization"] = authorization;
    try {
      identity.caller(request);
    } catch (const platform::Problem& problem) {
      EXPECT_EQ(problem.status, 401);
      for (const auto& [name, value] : problem.headers)
        if (name == "WWW-Authenticate") return value;
      return std::string("none");
    }
    return std::string("accepted");
  };
  EXPECT_EQ(challenge(""), "Bearer");                  // no token: no error code (RFC 6750 3.1)
  EXPECT_EQ(challenge("Basic dXNlcjpwdw=="), "Bearer");  // another scheme: the same
  EXPECT_EQ(challenge("Bearer not.a.token"), "Bearer error=\"invalid_token\"");
  auto expired = platform::sign_jwt({"customer1", "customer", "", 100, 200, "t1"}, "secret");
  EXPECT_EQ(challenge("Bearer " + expired), "Bearer error=\"invalid_token\"");
  auto now = platform::now_s();
  auto revoked = platform::sign_jwt({"customer1", "customer", "", now, now + 60, "t2"}, "secret");
  identity.revocations([](const Claims& claims) { return claims.token_id == "t2"; });
  EXPECT_EQ(challenge("Bearer " + revoked), "Bearer error=\"invalid_token\"");
}

TEST(Request, ABodyThatIsNotJsonIs415NamingBothTypes) {
  platform::Request request;
  request.body = R"({"storeId":1})";
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                           "application/xml", "application/jsonp"}) {
    request.headers["content-type"] = type;
    auto refused = reason([&] { request.json_object(); });
    EXPECT_EQ(refused.substr(0, 3), "415") << type;
    EXPECT_NE(refused.find(std::string(type).substr(0, std::string(type).find(';'))), std::string::npos) << refused;
    EXPECT_NE(refused.find("application/json"), std::string::npos) << refused;
  }
  for (const char* type : {"application/json", "application/json; charset=utf-8", "Application/JSON",
                           "application/merge-patch+json"}) {
    request.headers["content-type"] = type;
    EXPECT_EQ(request.json_object().at("storeId").as_int64(), 1) << type;
  }
  request.headers.erase("content-type");  // a body without a type is read as what the route reads
  EXPECT_EQ(request.json_object().at("storeId").as_int64(), 1);
}

TEST(Negotiate, AHalResourceIsHalJsonWhenAskedAndProblemsStayProblems) {
  auto answered = [](const std::string& accept, platform::Response response) {
    platform::Request request;
    if (!accept.empty()) request.headers["accept"] = accept;
    platform::negotiate(request, response);
    return response;
  };
  auto hal = platform::json_response(200, boost::json::object{{"orderId", 1}, {"_links", {{"self", {{"href", "/orders/1"}}}}}});
  auto plain = answered("", hal);
  EXPECT_EQ(plain.content_type, "application/json");
  EXPECT_EQ(plain.header("Vary"), "Accept");
  EXPECT_EQ(answered("application/hal+json", hal).content_type, "application/hal+json");
  EXPECT_EQ(answered("application/json;q=0.5, application/hal+json", hal).content_type, "application/hal+json");
  EXPECT_EQ(answered("Application/HAL+JSON; q=0.8", hal).content_type, "application/hal+json");
  EXPECT_EQ(answered("application/hal+json;q=0, application/json", hal).content_type, "application/json");
  EXPECT_EQ(answered("*/*", hal).content_type, "application/json");
  // Not HAL: no _links of its own (only in a string), an array, a problem.
  auto text = platform::json_response(200, boost::json::object{{"note", "\"_links\""}});
  EXPECT_EQ(answered("application/hal+json", text).content_type, "application/json");
  auto nested = platform::json_response(200, boost::json::array{boost::json::object{{"_links", boost::json::object{}}}});
  EXPECT_EQ(answered("application/hal+json", nested).content_type, "application/json");
  auto problem = platform::problem_response(404, "Not Found", "no order 1");
  EXPECT_EQ(answered("application/hal+json", problem).content_type, "application/problem+json");
  EXPECT_EQ(answered("application/hal+json", problem).header("Vary"), "");
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

TEST(Fields, NumbersMayBeStringsInTheirOneCanonicalSpelling) {
  auto body = boost::json::parse(
                  R"({"storeId":"1","qty":"-3","zero":"0","big":"9223372036854775807","lat":"37.5","lon":"-127.03",)"
                  R"("whole":"12","plain":37.5})")
                  .as_object();
  EXPECT_EQ(platform::fields::integer(body, "storeId"), 1);
  EXPECT_EQ(platform::fields::integer(body, "qty"), -3);
  EXPECT_EQ(platform::fields::integer(body, "zero"), 0);
  EXPECT_EQ(platform::fields::integer(body, "big"), 9223372036854775807);
  EXPECT_DOUBLE_EQ(platform::fields::number(body, "lat"), 37.5);
  EXPECT_DOUBLE_EQ(platform::fields::number(body, "lon"), -127.03);
  EXPECT_DOUBLE_EQ(platform::fields::number(body, "whole"), 12);
  EXPECT_DOUBLE_EQ(platform::fields::number(body, "plain"), 37.5);

  for (const char* bad : {"01", " 1", "1 ", "+1", "1e3", "1E3", "0x1", "", "-", "1.", ".5", "1.5", "--1", "1,000",
                          "\u0661", "one", "NaN", "Infinity"}) {
    boost::json::object form{{"storeId", bad}};
    auto refused = reason([&] { platform::fields::integer(form, "storeId", "items[0]."); });
    EXPECT_EQ(refused.substr(0, 30), "400 items[0].storeId must be a") << bad;
  }
  for (const char* bad : {"01.5", " 37.5", "37.5 ", "+37.5", "3.75e1", "37.", ".5", "", "-", "37,5", "NaN", "inf"}) {
    boost::json::object form{{"lat", bad}};
    EXPECT_EQ(reason([&] { platform::fields::number(form, "lat"); }).substr(0, 22), "400 lat must be a numb") << bad;
  }
  boost::json::object huge{{"storeId", "9223372036854775808"}, {"lat", "1" + std::string(400, '0')}};
  EXPECT_EQ(reason([&] { platform::fields::integer(huge, "storeId"); }), "400 storeId is out of range");
  EXPECT_EQ(reason([&] { platform::fields::number(huge, "lat"); }), "400 lat must be a finite number");
  boost::json::object other{{"storeId", true}, {"lat", boost::json::array{}}};
  EXPECT_EQ(reason([&] { platform::fields::integer(other, "storeId"); }).substr(0, 29), "400 storeId must be an intege");
  EXPECT_EQ(reason([&] { platform::fields::number(other, "lat"); }).substr(0, 22), "400 lat must be a numb");
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

TEST(Trace, ReadsAndWritesTheSpecsExample) {
  const std::string header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto context = platform::trace::parse(header);
  ASSERT_TRUE(context);
  EXPECT_EQ(context->trace(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->traceparent(), header);
  // Not sampled stays not sampled.
  EXPECT_EQ(platform::trace::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->traceparent(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
}

TEST(Trace, RefusesWhatTheSpecCallsInvalid) {
  for (const char* malformed : {
           "",
           "garbage",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",            // no flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",         // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",         // trace id all zeros
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",         // parent id all zeros
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",   // version 00 has 55 characters
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // version ff is never valid
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // not dash-separated
           "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // version not hex
           "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",        // more, not after a dash
       })
    EXPECT_FALSE(platform::trace::parse(malformed)) << malformed;
}

TEST(Trace, ReadsALaterVersionByItsFirstFields) {
  auto context = platform::trace::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-whatever");
  ASSERT_TRUE(context);
  EXPECT_EQ(context->traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(Trace, ContinuesAValidTraceUnderANewSpanAndReplacesAMalformedOne) {
  const std::string header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto continued = platform::trace::continue_from(header);
  EXPECT_EQ(continued.trace(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(continued.traceparent(), header);
  EXPECT_TRUE(platform::trace::parse(continued.traceparent()));

  auto fresh = platform::trace::continue_from("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  EXPECT_TRUE(platform::trace::parse(fresh.traceparent())) << fresh.traceparent();
  EXPECT_NE(fresh.trace(), "00000000000000000000000000000000");
  EXPECT_NE(platform::trace::start().trace(), platform::trace::start().trace());
}

TEST(Trace, AScopeIsTheThreadsCurrentTraceUntilItEnds) {
  EXPECT_EQ(platform::trace::current(), nullptr);
  auto outer = platform::trace::start();
  {
    platform::trace::Scope request(outer);
    ASSERT_NE(platform::trace::current(), nullptr);
    EXPECT_EQ(platform::trace::current()->trace(), outer.trace());
    auto inner = platform::trace::start();
    {
      platform::trace::Scope reaction(inner);
      EXPECT_EQ(platform::trace::current()->trace(), inner.trace());
    }
    EXPECT_EQ(platform::trace::current()->trace(), outer.trace());
  }
  EXPECT_EQ(platform::trace::current(), nullptr);
}

}  // namespace
