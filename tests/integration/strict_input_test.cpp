// Strict input through the gateway: what the platform once read leniently — a key given twice,
// control and bidirectional formatting characters in text, ids spelled several ways, tokens
// whose base64url or exp were bent — is refused with a problem that names what was wrong, and
// changes nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <string_view>
#include <vector>

#include "platform/clock.hpp"
#include "platform/jwt.hpp"
#include "support/api.hpp"
#include "support/customer_and_owner.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::Reply;

class StrictInput : public fd::test::CustomerAndOwner {
 protected:
  std::int64_t place() {
    auto reply = customer.post("/orders", order_request(1, 104, 1));
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.status == 201 ? reply.body.at("orderId").as_int64() : 0;
  }

  std::size_t events() { return platform::read_stream(platform.nats_url()).size(); }

  // A refusal with problem+json whose detail holds `words`.
  void expect_400(const Reply& reply, const std::string& words, const std::string& what) {
    EXPECT_EQ(reply.status, 400) << what << ": " << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json") << what;
    EXPECT_NE(reply.detail().find(words), std::string::npos) << what << ": " << reply.raw;
  }

  std::string secret() {
    std::ifstream in(platform.data_dir() + "/jwt.secret");
    std::string text;
    in >> text;
    return text;
  }
};

TEST_F(StrictInput, AKeyGivenTwiceIs400NamingItAndPlacesNothing) {
  auto first = place();
  ASSERT_TRUE(eventually([&] { return owner.get("/foodCookings/" + std::to_string(first)).status == 200; }));
  auto before = events();

  // Read leniently, the last qty won: -5 passed a validator that another reader saw as 1.
  auto twice = customer.call("POST", "/orders",
                             R"({"storeId":1,"items":[{"menuId":104,"qty":-5,"qty":1}],"address":"서울",)"
                             R"("lat":37.5006,"lon":127.0364})");
  expect_400(twice, "request body has the key 'qty' twice in one object", "qty twice");
  auto store_twice = customer.call("POST", "/orders",
                                   R"({"storeId":2,"storeId":1,"items":[{"menuId":104,"qty":1}],"address":"서울",)"
                                   R"("lat":37.5006,"lon":127.0364})");
  expect_400(store_twice, "'storeId' twice", "storeId twice");
  expect_400(owner.call("PUT", "/foodCookings/" + std::to_string(first) + "/reject", R"({"reason":"a","reason":"b"})"),
             "'reason' twice", "reason twice");
  expect_400(customer.call("POST", "/auth/login", R"({"username":"customer1","username":"owner1","password":"demo1234"})"),
             "'username' twice", "username twice");

  EXPECT_EQ(events(), before);
  EXPECT_EQ(place(), first + 1);
}

TEST_F(StrictInput, ControlAndBidiCharactersInTextAre400NamingTheField) {
  auto before = events();
  const std::vector<std::pair<std::string, std::string>> addresses = {
      {"서울 \u202etxt.exe\u202c 152", "address must not contain the bidirectional formatting character U+202E"},
      {"서울 \u2066강남\u2069", "address must not contain the bidirectional formatting character U+2066"},
      {"서울 \u200f강남", "address must not contain the bidirectional formatting character U+200F"},
      {std::string("서울\0강남", sizeof "서울\0강남" - 1), "address must not contain the control character U+0000"},
      {"서울\n강남", "address must not contain the control character U+000A"},
      {"서울\x1b[2J", "address must not contain the control character U+001B"},
      {"서울\u0085", "address must not contain the control character U+0085"},
  };
  for (const auto& [address, words] : addresses) {
    auto body = order_request(1, 104, 1);
    body["address"] = address;
    expect_400(customer.post("/orders", body), words, words);
  }
  // The same with the characters as JSON escapes, as a script would send them.
  expect_400(customer.call("POST", "/orders",
                           R"({"storeId":1,"items":[{"menuId":104,"qty":1}],"address":"a\u202Eb","lat":37.5,"lon":127.03})"),
             "U+202E", "escaped bidi");
  expect_400(customer.call("POST", "/orders",
                           R"({"storeId":1,"items":[{"menuId":104,"qty":1}],"address":"a\u0000b","lat":37.5,"lon":127.03})"),
             "U+0000", "escaped NUL");
  // An unpaired surrogate is not JSON text at all.
  expect_400(customer.call("POST", "/orders",
                           R"({"storeId":1,"items":[{"menuId":104,"qty":1}],"address":"a\ud800b","lat":37.5,"lon":127.03})"),
             "not valid JSON", "lone surrogate");
  Api newcomer(platform.gateway_port());
  expect_400(newcomer.post("/auth/signup", {{"username", "mallory"}, {"password", "a-long-and-unusual-passphrase"}, {"displayName", "admin\u202e"}}),
             "displayName must not contain the bidirectional formatting character U+202E", "displayName");
  EXPECT_EQ(events(), before);

  // A rejection's reason is free text: it keeps its lines, and nothing else of the kind.
  auto id = place();
  auto cooking = "/foodCookings/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return owner.get(cooking).status == 200; }));
  expect_400(owner.call("PUT", cooking + "/reject", R"({"reason":"재료 소진\r\n"})"),
             "reason must not contain the control character U+000D; of the control characters only a newline is allowed",
             "CR in reason");
  expect_400(owner.call("PUT", cooking + "/reject", R"({"reason":"재료 \u202e소진"})"), "U+202E", "bidi in reason");
  auto rejected = owner.call("PUT", cooking + "/reject", R"({"reason":"재료 소진\n내일 다시 열어요"})");
  ASSERT_EQ(rejected.status, 200) << rejected.raw;
  EXPECT_EQ(rejected.body.at("reason").as_string(), "재료 소진\n내일 다시 열어요");
}

TEST_F(StrictInput, AnIdHasOneSpellingInPathsAndQueries) {
  auto id = place();
  auto canonical = "/orders/" + std::to_string(id);
  // Paid first, so that the status read after the refused cancel tells that it changed nothing.
  ASSERT_TRUE(eventually([&] {
    auto order = customer.get(canonical);
    return order.status == 200 && order.body.at("status").as_string() == "PAID";
  }));
  auto number = std::to_string(id);
  for (const std::string& spelling :
       std::vector<std::string>{"0" + number, "+" + number, "%20" + number, number + "%20", "-0", "0", "9223372036854775808", "1e0"}) {
    auto reply = customer.get("/orders/" + spelling);
    expect_400(reply, "path parameter orderId must be a positive integer", "/orders/" + spelling);
  }
  expect_400(customer.call("PUT", "/orders/0" + std::to_string(id) + "/cancel"), "orderId", "cancel of 0<id>");
  EXPECT_EQ(customer.get(canonical).body.at("status").as_string(), "PAID");
  expect_400(customer.get("/stores/01"), "path parameter storeId", "/stores/01");
  expect_400(customer.get("/payments/01"), "path parameter orderId", "/payments/01");

  ASSERT_EQ(customer.get("/reviews?storeId=1").status, 200);
  for (const char* spelling : {"%201", "01", "+1", "%2B1", "-0", "1%20", "", "1.0", "99999999999999999999"})
    expect_400(customer.get(std::string("/reviews?storeId=") + spelling),
               "query parameter storeId must be a positive integer", std::string("?storeId=") + spelling);
  expect_400(customer.get("/reviews"), "query parameter storeId is required", "no storeId");
}

TEST_F(StrictInput, TokensWithBentBase64urlNoJtiOrAFarExpAre401) {
  ASSERT_EQ(customer.get("/auth/me").status, 200);
  auto real = customer.token();
  // The signature's last character carries 2 unused bits: set, they spell the same bytes.
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto last = kAlphabet.find(real.back());
  ASSERT_EQ(last & 3, 0u) << real;
  Api bent(platform.gateway_port());
  for (std::size_t bits : {1, 2, 3}) {
    auto token = real;
    token.back() = kAlphabet[last | bits];
    bent.token(token);
    auto reply = bent.get("/auth/me");
    EXPECT_EQ(reply.status, 401) << reply.raw;
    EXPECT_EQ(reply.detail(), "token is not canonical base64url");
    EXPECT_EQ(bent.get("/orders").status, 401);
  }

  auto now = platform::now_s();
  Api forged(platform.gateway_port());
  // exp 2^62 s read back as 1970 in /auth/me; it is not a time a token issued here can have.
  forged.token(platform::sign_jwt({"customer1", "customer", "", now, std::int64_t{1} << 62, "far"}, secret()));
  auto far = forged.get("/auth/me");
  EXPECT_EQ(far.status, 401) << far.raw;
  EXPECT_EQ(far.detail(), "token expires later than a token issued here can; log in again");
  EXPECT_EQ(forged.get("/orders").status, 401);
  forged.token(platform::sign_jwt({"customer1", "customer", "", now, now + 7 * 24 * 3600, "week"}, secret()));
  EXPECT_EQ((forged.get("/orders")).detail(), "token expires later than a token issued here can; log in again");
  // Without an id a token could not be revoked by logout.
  forged.token(platform::sign_jwt({"customer1", "customer", "", now, now + 600}, secret()));
  auto anonymous = forged.get("/orders");
  EXPECT_EQ(anonymous.status, 401) << anonymous.raw;
  EXPECT_EQ(anonymous.detail(), "token lacks jti");
}

}  // namespace
