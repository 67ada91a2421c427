// KakaoTalk over TLS, as https://kapi.kakao.com is reached: the one HTTP client against the
// fake Kakao's TLS mode (its own CA, made at test time), then the customer service on a real
// platform sending through it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/http_client.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/fake_kakao.hpp"
#include "support/platform_fixture.hpp"
#include "support/publish.hpp"
#include "support/scratch.hpp"
#include "support/test_ca.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::FakeKakao;
using fd::test::TestCa;
using fd::test::TestPlatform;
using std::chrono::seconds;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Kakao's text template, form-encoded: {"object_type":"text","text":"<text>","link":{"web_url":"http://x/1"}}.
std::string message_form(const std::string& text) {
  return "template_object=%7B%22object_type%22%3A%22text%22%2C%22text%22%3A%22" + text +
         "%22%2C%22link%22%3A%7B%22web_url%22%3A%22http%3A%2F%2Fx%2F1%22%7D%7D";
}

platform::Response send_message(platform::HttpClient& client, const FakeKakao& kakao, const std::string& text) {
  return client.send("POST", "/v2/api/talk/memo/default/send", message_form(text),
                     {{"Authorization", "Bearer " + kakao.token()},
                      {"Content-Type", "application/x-www-form-urlencoded;charset=utf-8"}});
}

// What the call threw, or "" when it did not.
std::string refusal_of(platform::HttpClient& client, const FakeKakao& kakao) {
  try {
    send_message(client, kakao, "refused");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST(KakaoOverTls, MessagesReachTheFakeOverTlsWhenItsCaIsTrusted) {
  FakeKakao kakao(FakeKakao::Tls{});
  ASSERT_TRUE(kakao.base_url().starts_with("https://localhost:"));
  auto client = platform::HttpClient::to(kakao.base_url());
  client.trust_ca_file(kakao.ca_file());
  // The second goes over the connection the first opened.
  for (auto text : {"first", "second"}) {
    auto answer = send_message(client, kakao, text);
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.body, R"({"result_code":0})");
  }
  ASSERT_EQ(kakao.messages().size(), 2u) << testing::PrintToString(kakao.problems());
  EXPECT_EQ(kakao.messages()[0].text, "first");
  EXPECT_EQ(kakao.messages()[1].text, "second");
}

TEST(KakaoOverTls, ACertificateOfAnotherCaIsRefusedNamingTheHost) {
  FakeKakao kakao(FakeKakao::Tls{});
  TestCa stranger("a CA the fake did not use");
  auto client = platform::HttpClient::to(kakao.base_url());
  client.trust_ca_file(stranger.certificate_file());
  auto why = refusal_of(client, kakao);
  EXPECT_TRUE(contains(why, "POST " + kakao.base_url() + "/v2/api/talk/memo/default/send failed: TLS handshake "
                            "with localhost failed: certificate verify failed: unable to get local issuer certificate"))
      << why;
  // Nor does the system's CA store alone trust it.
  auto system_only = platform::HttpClient::to(kakao.base_url());
  EXPECT_TRUE(contains(refusal_of(system_only, kakao), "certificate verify failed")) << refusal_of(system_only, kakao);
  EXPECT_EQ(kakao.requests(), 0);
}

TEST(KakaoOverTls, ACertificateForAnotherHostIsRefused) {
  FakeKakao kakao(FakeKakao::Tls{"kakao.example"});
  auto client = platform::HttpClient::to(kakao.base_url());
  client.trust_ca_file(kakao.ca_file());
  auto why = refusal_of(client, kakao);
  EXPECT_TRUE(contains(why, "TLS handshake with localhost failed: certificate verify failed: the certificate is not "
                            "for localhost (hostname mismatch)"))
      << why;
  EXPECT_EQ(kakao.requests(), 0);
}

TEST(KakaoOverTls, AnAddressIsCheckedAgainstTheCertificatesAddresses) {
  FakeKakao for_the_address(FakeKakao::Tls{"127.0.0.1"});
  FakeKakao for_localhost(FakeKakao::Tls{});
  auto by_address = [](const FakeKakao& kakao) {
    auto url = kakao.base_url();
    return "https://127.0.0.1" + url.substr(url.rfind(':'));
  };
  auto matching = platform::HttpClient::to(by_address(for_the_address));
  matching.trust_ca_file(for_the_address.ca_file());
  EXPECT_EQ(send_message(matching, for_the_address, "by address").status, 200);
  auto other = platform::HttpClient::to(by_address(for_localhost));
  other.trust_ca_file(for_localhost.ca_file());
  auto why = refusal_of(other, for_localhost);
  EXPECT_TRUE(contains(why, "the certificate is not for 127.0.0.1 (IP address mismatch)")) << why;
}

TEST(KakaoOverTls, ACaFileThatCannotBeUsedIsRefusedAtOnce) {
  auto client = platform::HttpClient::to("https://localhost:1");
  try {
    client.trust_ca_file("/nonexistent/ca.pem");
    ADD_FAILURE() << "a CA file that does not exist was taken";
  } catch (const std::invalid_argument& error) {
    EXPECT_TRUE(contains(error.what(), "cannot read the CA file /nonexistent/ca.pem")) << error.what();
  }
  TestCa ca("a CA");
  auto plain = platform::HttpClient::to("http://127.0.0.1:1");
  EXPECT_THROW(plain.trust_ca_file(ca.certificate_file()), std::invalid_argument);
}

TEST(HttpClientOrigins, HttpsIsTlsOnPort443UnlessAPortIsGiven) {
  auto kakao = platform::parse_origin("https://kapi.kakao.com");
  EXPECT_TRUE(kakao.tls);
  EXPECT_EQ(kakao.host, "kapi.kakao.com");
  EXPECT_EQ(kakao.port, 443);
  EXPECT_EQ(kakao.url(), "https://kapi.kakao.com:443");
  auto gateway = platform::parse_origin("https://gateway.example:8443/kakao");
  EXPECT_TRUE(gateway.tls);
  EXPECT_EQ(gateway.port, 8443);
  auto plain = platform::parse_origin("http://order:8080");
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.port, 8080);
  EXPECT_EQ(platform::parse_origin("order").port, 80);
  EXPECT_THROW(platform::parse_origin("ftp://kapi.kakao.com"), std::invalid_argument);
}

// The customer service's messages of one order, oldest first.
boost::json::array notifications_of(Api& api, std::int64_t order) {
  boost::json::array out;
  auto reply = api.get("/notifications");
  if (reply.status != 200) return out;
  for (auto& item : reply.body.at("_embedded").at("notifications").as_array())
    if (item.at("orderId").as_int64() == order) out.insert(out.begin(), item);
  return out;
}

// What the fake accepted for one order.
std::vector<std::string> texts_of(const FakeKakao& kakao, std::int64_t order) {
  std::vector<std::string> out;
  for (const auto& message : kakao.messages())
    if (message.web_url.ends_with("/orderStatuses/" + std::to_string(order))) out.push_back(message.text);
  return out;
}

void place(TestPlatform& platform, std::int64_t order) {
  fd::test::publish_event(platform.nats_url(), "OrderPlaced",
                          {{"orderId", order},
                           {"customerId", "customer1"},
                           {"storeId", 1},
                           {"storeName", "교촌치킨 강남역점"},
                           {"items", boost::json::array{}},
                           {"totalPrice", 0},
                           {"address", "서울"},
                           {"lat", 37.5},
                           {"lon", 127.0}});
}

TEST(CustomerServiceOverTls, AStatusChangeReachesKakaoOverTls) {
  FakeKakao kakao(FakeKakao::Tls{});
  TestPlatform platform{{"FD_KAKAO_BASE_URL", kakao.base_url()},
                        {"FD_KAKAO_TOKEN", kakao.token()},
                        {"FD_KAKAO_CA_FILE", kakao.ca_file()}};
  Api customer(platform.gateway_port());
  customer.login("customer1");
  place(platform, 7101);
  ASSERT_TRUE(eventually([&] {
    auto items = notifications_of(customer, 7101);
    return !items.empty() && items.front().at("state") == "SENT";
  })) << customer.get("/notifications").raw;
  ASSERT_FALSE(texts_of(kakao, 7101).empty()) << testing::PrintToString(kakao.problems());
  EXPECT_EQ(texts_of(kakao, 7101).front(), "[음식배달] 주문 7101 교촌치킨 강남역점: 주문됨");
}

TEST(CustomerServiceOverTls, ACaFileThatCannotBeReadStopsTheStart) {
  auto folder = fd::test::make_temp_dir("fd-kakao-ca-");
  auto started = fd::test::run_command(
      "env FD_JWT_SECRET=0123456789abcdef0123456789abcdef FD_DB_URL=sqlite:" + folder +
      "/customer.db FD_KAKAO_TOKEN=t FD_KAKAO_BASE_URL=https://kapi.kakao.com FD_KAKAO_CA_FILE=" + folder +
      "/absent.pem " + FD_BUILD_DIR + "/bin/fd-customer");
  EXPECT_NE(started.status, 0);
  EXPECT_TRUE(contains(started.output, "FD_KAKAO_CA_FILE: cannot read the CA file " + folder + "/absent.pem"))
      << started.output;
  std::filesystem::remove_all(folder);
}

// Trusting the wrong CA: the message waits, retried, with the certificate error in its
// lastError and in the log; trusted again, the service sends it.
TEST(CustomerServiceOverTls, WithTheWrongCaAMessageWaitsAndIsSentOnceTheRightOneIsTrusted) {
  FakeKakao kakao(FakeKakao::Tls{});
  TestCa stranger("a CA the fake did not use");
  auto folder = fd::test::make_temp_dir("fd-kakao-ca-");
  auto ca_file = folder + "/ca.pem";
  std::filesystem::copy_file(stranger.certificate_file(), ca_file);
  TestPlatform platform{{"FD_KAKAO_BASE_URL", kakao.base_url()},
                        {"FD_KAKAO_TOKEN", kakao.token()},
                        {"FD_KAKAO_CA_FILE", ca_file}};
  Api customer(platform.gateway_port());
  customer.login("customer1");
  place(platform, 7102);
  ASSERT_TRUE(eventually([&] {
    auto items = notifications_of(customer, 7102);
    if (items.empty()) return false;
    const auto& placed = items.front().as_object();
    return placed.at("state") == "PENDING" && placed.at("attempts").as_int64() >= 2 &&
           placed.at("lastError").is_string() &&
           contains(std::string(placed.at("lastError").as_string()),
                    "TLS handshake with localhost failed: certificate verify failed");
  })) << customer.get("/notifications").raw;
  auto log = platform.service_log("customer");
  EXPECT_TRUE(contains(log, "KakaoTalk message not delivered; retrying")) << log;
  EXPECT_TRUE(contains(log, "certificate verify failed")) << log;
  EXPECT_EQ(kakao.requests(), 0);

  platform.kill("customer");
  std::filesystem::copy_file(kakao.ca_file(), ca_file, std::filesystem::copy_options::overwrite_existing);
  platform.start("customer");
  ASSERT_TRUE(eventually([&] {
    auto items = notifications_of(customer, 7102);
    return !items.empty() && items.front().at("state") == "SENT";
  }, seconds(30))) << customer.get("/notifications").raw;
  auto texts = texts_of(kakao, 7102);
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts.front(), "[음식배달] 주문 7102 교촌치킨 강남역점: 주문됨");
  EXPECT_EQ(std::count(texts.begin(), texts.end(), texts.front()), 1);
  std::filesystem::remove_all(folder);
}

}  // namespace
