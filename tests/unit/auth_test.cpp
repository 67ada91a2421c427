#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/account.hpp"
#include "domain/login_backoff.hpp"
#include "domain/session.hpp"
#include "platform/problem.hpp"

namespace {

TEST(Login, ParsesCredentialsAndRefusesMalformedOnes) {
  auto ok = auth::parse_login(boost::json::parse(R"({"username":"customer1","password":"demo1234"})").as_object());
  EXPECT_EQ(ok.username, "customer1");
  for (const char* body : {R"({"username":"customer1"})", R"({"username":1,"password":"x"})",
                           R"({"username":"","password":"x"})", R"({"username":"a","password":"b","admin":true})"}) {
    EXPECT_THROW(auth::parse_login(boost::json::parse(body).as_object()), platform::Problem) << body;
  }
}

TEST(Login, OnlyOwnersCarryAStoreInTheirClaims) {
  auto owner = auth::claims_for({"owner1", "owner", "1", ""}, 1000, 60);
  EXPECT_EQ(owner.store_id, "1");
  EXPECT_EQ(owner.expires_at, 1060);
  auto customer = auth::claims_for({"customer1", "customer", "1", ""}, 1000, 60);
  EXPECT_TRUE(customer.store_id.empty());
}

TEST(DemoAccounts, AreTheOnesTheReadmeLists) {
  std::vector<std::string> names;
  for (const auto& demo : auth::demo_accounts()) names.push_back(demo.account.username);
  EXPECT_EQ(names, (std::vector<std::string>{"customer1", "customer2", "owner1", "owner2", "rider1", "rider2",
                                               "admin"}));
}

}  // namespace

namespace {

TEST(SignUp, AcceptsASensibleAccountAndSaysWhatIsWrongOtherwise) {
  auto ok = auth::parse_sign_up(boost::json::parse(R"({"username":"kim_99","password":"longenough"})").as_object());
  EXPECT_EQ(ok.credentials.username, "kim_99");
  EXPECT_EQ(ok.display_name, "kim_99");
  for (const char* body : {R"({"username":"ab","password":"longenough"})", R"({"username":"Kim","password":"longenough"})",
                           R"({"username":"kim' OR 1=1","password":"longenough"})",
                           R"({"username":"kim","password":"short"})", R"({"username":"kim","password":"ninechars"})",
                           R"({"username":"kim","password":"김치찌개된장찌개비"})",
                           R"({"username":"kim","password":"longenough","role":"owner"})"}) {
    EXPECT_THROW(auth::parse_sign_up(boost::json::parse(body).as_object()), platform::Problem) << body;
  }
}

TEST(SignUp, CountsThePasswordsCharactersNotItsBytes) {
  EXPECT_NO_THROW(auth::parse_sign_up(boost::json::parse(R"({"username":"kim","password":"김치찌개된장찌개비빔"})").as_object()));
  try {
    auth::parse_sign_up(boost::json::parse(R"({"username":"kim","password":"김치찌개된장찌개비"})").as_object());
    FAIL() << "nine characters accepted";
  } catch (const platform::Problem& problem) {
    EXPECT_EQ(problem.status, 400);
    EXPECT_EQ(problem.detail, "password must be at least 10 characters long");
  }
}

TEST(SignUp, MakesACustomerAccountThatKeepsOnlyThePasswordsHash) {
  auto form = auth::parse_sign_up(
      boost::json::parse(R"({"username":"kim_99","password":"longenough","displayName":"김"})").as_object());
  auto account = auth::signed_up(form, "$argon2id$hash", 42);
  EXPECT_EQ(account.username, "kim_99");
  EXPECT_EQ(account.role, "customer");
  EXPECT_TRUE(account.store_id.empty());
  EXPECT_EQ(account.display_name, "김");
  EXPECT_EQ(account.password_hash, "$argon2id$hash");
  EXPECT_EQ(account.created_at, 42);
}

TEST(Refresh, TakesTheBodysTokenOrNoneForTheCookie) {
  EXPECT_EQ(auth::parse_refresh(boost::json::parse(R"({"refreshToken":"abc"})").as_object()), "abc");
  EXPECT_EQ(auth::parse_refresh(boost::json::parse(R"({})").as_object()), std::nullopt);
  for (const char* body : {R"({"refreshToken":"a","x":1})", R"({"refreshToken":""})", R"({"refreshToken":7})"})
    EXPECT_THROW(auth::parse_refresh(boost::json::parse(body).as_object()), platform::Problem) << body;
}

TEST(RefreshCookie, IsHttpOnlyStrictScopedToAuthAndSecureOverTls) {
  EXPECT_EQ(auth::refresh_cookie("abc", 60, false), "fd_refresh=abc; Path=/auth; Max-Age=60; HttpOnly; SameSite=Strict");
  EXPECT_EQ(auth::refresh_cookie("abc", 60, true),
            "fd_refresh=abc; Path=/auth; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(auth::cleared_refresh_cookie(false), "fd_refresh=; Path=/auth; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(RefreshCookie, IsFoundAmongTheRequestsCookies) {
  EXPECT_EQ(auth::refresh_token_in_cookies("fd_refresh=abc"), "abc");
  EXPECT_EQ(auth::refresh_token_in_cookies("theme=dark; fd_refresh=abc ;lang=ko"), "abc");
  EXPECT_EQ(auth::refresh_token_in_cookies("fd_refresh=first; fd_refresh=second"), "first");
  for (const char* header : {"", "theme=dark", "fd_refresh=", "xfd_refresh=abc", "fd_refreshx=abc", ";;"})
    EXPECT_EQ(auth::refresh_token_in_cookies(header), std::nullopt) << header;
}

TEST(Login, TokensCarryAnIdSoTheyCanBeRevoked) {
  auto claims = auth::claims_for({"customer1", "customer", "", ""}, 1000, 60, "token-7");
  EXPECT_EQ(claims.token_id, "token-7");
}

}  // namespace

namespace {

using auth::BackoffPolicy;
using auth::FailedLogins;

FailedLogins fail(FailedLogins record, const BackoffPolicy& policy, int times, std::int64_t at) {
  for (int i = 0; i < times; ++i) record = auth::after_failure(record, policy, at);
  return record;
}

TEST(LoginBackoff, AFewFailuresAreFreeThenTheLockDoublesUpToItsCap) {
  BackoffPolicy policy;  // 5 free, 1 s doubling to 15 min
  auto record = fail({}, policy, 4, 1'000'000);
  EXPECT_EQ(auth::lock_remaining_ms(record, 1'000'000), 0);
  record = fail(record, policy, 1, 1'000'000);
  EXPECT_EQ(auth::lock_remaining_ms(record, 1'000'000), 1000);
  EXPECT_EQ(auth::lock_remaining_ms(record, 1'000'400), 600);
  EXPECT_EQ(auth::lock_remaining_ms(record, 1'001'000), 0) << "the lock ends by itself";
  std::int64_t now = 1'001'000;
  for (std::int64_t expected : {2000, 4000, 8000, 16000}) {
    record = auth::after_failure(record, policy, now);
    EXPECT_EQ(auth::lock_remaining_ms(record, now), expected);
    now += expected;
  }
  record = fail(record, policy, 30, now);
  EXPECT_EQ(auth::lock_remaining_ms(record, now), 15 * 60 * 1000) << "capped, and no overflow";
}

TEST(LoginBackoff, OldFailuresAreForgotten) {
  BackoffPolicy policy;
  policy.forget_after_ms = 60'000;
  auto record = fail({}, policy, 4, 1'000'000);
  record = auth::after_failure(record, policy, 1'000'000 + 60'001);
  EXPECT_EQ(record.failures, 1);
  EXPECT_EQ(auth::lock_remaining_ms(record, 1'060'001), 0);
}

TEST(LoginBackoff, TellsClientsWholeSecondsToWait) {
  EXPECT_EQ(auth::retry_after_seconds(1), 1);
  EXPECT_EQ(auth::retry_after_seconds(1000), 1);
  EXPECT_EQ(auth::retry_after_seconds(1001), 2);
  EXPECT_EQ(auth::retry_after_seconds(900'000), 900);
}

TEST(LoginBackoff, RefusesAPolicyThatMakesNoSense) {
  BackoffPolicy policy;
  EXPECT_NO_THROW(auth::check(policy));
  policy.free_failures = 0;
  EXPECT_THROW(auth::check(policy), std::invalid_argument);
  policy = {};
  policy.max_lock_ms = policy.first_lock_ms - 1;
  EXPECT_THROW(auth::check(policy), std::invalid_argument);
  policy = {};
  policy.forget_after_ms = policy.max_lock_ms - 1;
  EXPECT_THROW(auth::check(policy), std::invalid_argument);
}

}  // namespace

namespace {

using auth::RefreshVerdict;
using auth::StoredRefreshToken;

TEST(RefreshFamily, AValidTokenRotatesAndASpentOneIsReuse) {
  StoredRefreshToken token{"customer1", "s1", 2000, false, false};
  EXPECT_EQ(auth::judge(token, 1000), RefreshVerdict::Rotate);
  EXPECT_EQ(auth::judge(std::nullopt, 1000), RefreshVerdict::Refuse);
  EXPECT_EQ(auth::judge(token, 2000), RefreshVerdict::Refuse) << "expired";
  token.used = true;
  EXPECT_EQ(auth::judge(token, 1000), RefreshVerdict::Reuse);
  EXPECT_EQ(auth::judge(token, 5000), RefreshVerdict::Reuse) << "a spent token is reuse even once expired";
  token.revoked = true;
  EXPECT_EQ(auth::judge(token, 1000), RefreshVerdict::Refuse) << "its login already ended";
}

TEST(RefreshFamily, AccessTokensNameTheirLogin) {
  auto claims = auth::claims_for({"customer1", "customer", "", ""}, 1000, 60, "token-7", "session-3");
  EXPECT_EQ(claims.session_id, "session-3");
  auto verified = platform::verify_jwt(platform::sign_jwt(claims, "secret"), "secret", 1001, 60);
  EXPECT_EQ(verified.session_id, "session-3");
  EXPECT_EQ(verified.token_id, "token-7");
}

}  // namespace
