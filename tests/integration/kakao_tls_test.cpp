// KakaoTalk over TLS, as https://kapi.kakao.com is reached: the one HTTP client against the
// fake Kakao's TLS mode (its own CA, made at test time).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "platform/http_client.hpp"
#include "support/fake_kakao.hpp"
#include "support/test_ca.hpp"

namespace {

using fd::test::FakeKakao;
using fd::test::TestCa;

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

}  // namespace
