#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/account.hpp"
#include "domain/login_backoff.hpp"
#include "domain/session.hpp"
#include "platform/problem.hpp"
#include "problem_status.hpp"

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

// Operators onboard (role admin): owners and riders, and accounts disabled and enabled again.
namespace {

auth::Onboarding onboarding(const char* body) { return auth::parse_onboarding(boost::json::parse(body).as_object()); }

TEST(Onboarding, MakesAnOwnerOfAStoreOrARiderByTheRulesOfASignUp) {
  auto owner = onboarding(R"({"role":"owner","username":"owner_3","password":"longenough","displayName":"김사장","storeId":3})");
  auto account = auth::onboarded(owner, "$argon2id$hash", 42);
  EXPECT_EQ(account.username, "owner_3");
  EXPECT_EQ(account.role, "owner");
  EXPECT_EQ(account.store_id, "3");
  EXPECT_EQ(account.display_name, "김사장");
  EXPECT_EQ(account.password_hash, "$argon2id$hash");
  EXPECT_EQ(account.created_at, 42);
  EXPECT_FALSE(account.disabled());
  EXPECT_EQ(auth::claims_for(account, 1000, 60).store_id, "3");

  auto rider = auth::onboarded(onboarding(R"({"role":"rider","username":"rider_9","password":"longenough"})"), "h", 1);
  EXPECT_EQ(rider.role, "rider");
  EXPECT_TRUE(rider.store_id.empty());
  EXPECT_EQ(rider.display_name, "rider_9");
}

TEST(Onboarding, SaysWhatIsWrong) {
  auto detail = [](const char* body) {
    try {
      onboarding(body);
    } catch (const platform::Problem& problem) {
      EXPECT_EQ(problem.status, 400) << body;
      return problem.detail;
    }
    return std::string("accepted");
  };
  EXPECT_EQ(detail(R"({"role":"customer","username":"kim","password":"longenough"})"),
            "role must be owner or rider, not 'customer': customers sign up themselves (POST /auth/signup)");
  EXPECT_EQ(detail(R"({"role":"admin","username":"kim","password":"longenough"})"),
            "role must be owner or rider, not 'admin': customers sign up themselves (POST /auth/signup)");
  EXPECT_EQ(detail(R"({"username":"kim","password":"longenough"})"), "role must be a string (owner or rider)");
  EXPECT_EQ(detail(R"({"role":"owner","username":"kim","password":"longenough"})"),
            "storeId is required: the store this owner runs");
  EXPECT_EQ(detail(R"({"role":"owner","username":"kim","password":"longenough","storeId":0})"),
            "storeId must be a positive store id");
  EXPECT_EQ(detail(R"({"role":"rider","username":"kim","password":"longenough","storeId":1})"),
            "storeId is for owners only: a rider runs no store");
  EXPECT_EQ(detail(R"({"role":"rider","username":"Kim","password":"longenough"})"),
            "username must be 3 to 32 characters of a-z, 0-9 and _");
  EXPECT_EQ(detail(R"({"role":"rider","username":"kim","password":"ninechars"})"),
            "password must be at least 10 characters long");
  EXPECT_EQ(detail(R"({"role":"rider","username":"kim","password":"longenough","admin":true})"),
            "unknown field 'admin'");
}

TEST(DisabledAccount, IsDisabledAndEnabledOnceEach) {
  auth::Account account{"customer1", "customer", "", "김고객"};
  EXPECT_EQ(account.allowed_command(), "disable");
  account.disable(500, false);  // no other admin: a customer is no admin
  EXPECT_TRUE(account.disabled());
  EXPECT_EQ(account.disabled_at, 500);
  EXPECT_EQ(account.allowed_command(), "enable");
  EXPECT_EQ(problem_status([&] { account.disable(600, true); }), 409);
  EXPECT_EQ(account.disabled_at, 500) << "a refused command changes nothing";
  account.enable();
  EXPECT_FALSE(account.disabled());
  EXPECT_EQ(problem_status([&] { account.enable(); }), 409);
}

TEST(DisabledAccount, TheLastEnabledAdminStaysEnabled) {
  auth::Account admin{"admin", "admin", "", "운영자"};
  EXPECT_EQ(problem_status([&] { admin.disable(500, false); }), 409);
  EXPECT_FALSE(admin.disabled());
  admin.disable(500, true);  // another admin can enable it again
  EXPECT_TRUE(admin.disabled());
}

TEST(Roles, AreTheFourAnAccountCanHave) {
  for (const char* role : {"customer", "owner", "rider", "admin"}) EXPECT_TRUE(auth::is_role(role)) << role;
  for (const char* role : {"", "service", "Admin", "boss"}) EXPECT_FALSE(auth::is_role(role)) << role;
}

}  // namespace
