// Operators onboard (issue 16, item 2), through the gateway: the admin makes a store's owner
// and riders, lists accounts, and disables an account, whose tokens then stop working in
// every service by event; each command's refusals change nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "platform/db.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::Reply;

class Accounts : public ::testing::Test {
 protected:
  fd::test::TestPlatform platform;
  Api admin{platform.gateway_port()};

  void SetUp() override { admin.login("admin"); }

  Reply login(const std::string& username, const std::string& password = "demo1234") {
    return Api(platform.gateway_port()).post("/auth/login", {{"username", username}, {"password", password}});
  }
  // The account as the admin sees it now.
  boost::json::value account(const std::string& username) {
    auto reply = admin.get("/auth/accounts/" + username);
    EXPECT_EQ(reply.status, 200) << reply.raw;
    return reply.body;
  }
  Reply onboard(const boost::json::object& account) { return admin.post("/auth/accounts", account); }
  std::int64_t total_accounts() {
    auto reply = admin.get("/auth/accounts?size=1");
    EXPECT_EQ(reply.status, 200) << reply.raw;
    return reply.status == 200 ? reply.body.at("page").at("totalElements").as_int64() : -1;
  }
};

// A problem+json refusal with this status whose detail says `words`.
void expect_refused(const Reply& reply, int status, const std::string& words, const std::string& what) {
  EXPECT_EQ(reply.status, status) << what << ": " << reply.raw;
  EXPECT_EQ(reply.content_type, "application/problem+json") << what;
  EXPECT_NE(reply.raw.find(words), std::string::npos) << what << ": " << reply.raw;
}

TEST_F(Accounts, TheAdminOnboardsAStoresOwnerAndARiderWhoThenWork) {
  auto rider = admin.post("/auth/accounts", {{"role", "rider"},
                                             {"username", "rider_gangnam"},
                                             {"password", "correct horse battery"},
                                             {"displayName", "강남 라이더"}});
  ASSERT_EQ(rider.status, 201) << rider.raw;
  EXPECT_EQ(rider.location, "/auth/accounts/rider_gangnam");
  EXPECT_EQ(rider.body.at("role").as_string(), "rider");
  EXPECT_EQ(rider.body.at("displayName").as_string(), "강남 라이더");
  EXPECT_FALSE(rider.body.at("disabled").as_bool());
  EXPECT_FALSE(rider.body.as_object().contains("storeId"));
  EXPECT_EQ(rider.raw.find("argon2"), std::string::npos) << "the password's hash is never shown";
  EXPECT_EQ(rider.body.at("_links").at("disable").at("href").as_string(), "/auth/accounts/rider_gangnam/disable");

  auto owner = onboard(
      {{"role", "owner"}, {"username", "owner_two"}, {"password", "correct horse battery"}, {"storeId", 2}});
  ASSERT_EQ(owner.status, 201) << owner.raw;
  EXPECT_EQ(owner.body.at("storeId").as_int64(), 2);
  EXPECT_EQ(owner.body.at("displayName").as_string(), "owner_two");

  // They log in with the password the admin gave, and do their work.
  Api rider_api(platform.gateway_port()), owner_api(platform.gateway_port());
  rider_api.login("rider_gangnam", "correct horse battery");
  EXPECT_EQ(rider_api.call("PUT", "/riders/me/location", R"({"lat":37.4985,"lon":127.0300})").status, 200);
  owner_api.login("owner_two", "correct horse battery");
  auto me = owner_api.get("/auth/me");
  EXPECT_EQ(me.body.at("role").as_string(), "owner");
  EXPECT_EQ(me.body.at("storeId").as_int64(), 2);
  EXPECT_EQ(owner_api.get("/foodCookings").status, 200);

  // The list: every account, newest first, one role's with ?role=, paged like every list.
  auto all = admin.get("/auth/accounts");
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body.at("page").at("totalElements").as_int64(), 9);  // the seven demo accounts and these two
  const auto& newest = all.body.at("_embedded").at("accounts").as_array();
  ASSERT_EQ(newest.size(), 9u);
  EXPECT_EQ(newest[0].at("username").as_string(), "owner_two");
  EXPECT_EQ(newest[1].at("username").as_string(), "rider_gangnam");
  auto riders = admin.get("/auth/accounts?role=rider&sort=username,asc&size=2");
  ASSERT_EQ(riders.status, 200) << riders.raw;
  EXPECT_EQ(riders.body.at("page").at("totalElements").as_int64(), 3);
  EXPECT_EQ(riders.body.at("page").at("totalPages").as_int64(), 2);
  const auto& first_riders = riders.body.at("_embedded").at("accounts").as_array();
  ASSERT_EQ(first_riders.size(), 2u);
  EXPECT_EQ(first_riders[0].at("username").as_string(), "rider1");
  EXPECT_EQ(first_riders[1].at("username").as_string(), "rider2");
  EXPECT_EQ(riders.body.at("_links").at("next").at("href").as_string(),
            "/auth/accounts?role=rider&page=1&size=2&sort=username,asc");
  EXPECT_EQ(account("owner_two").at("storeId").as_int64(), 2);
}

// An owner runs a store that exists, as the store service says: one the admin has just
// created at once, an unknown one never.
TEST_F(Accounts, AnOwnerRunsAStoreThatExists) {
  boost::json::object new_owner{
      {"role", "owner"}, {"username", "owner_new"}, {"password", "correct horse battery"}, {"storeId", 77}};
  expect_refused(admin.post("/auth/accounts", new_owner), 400, "storeId 77 is not a store", "store 77");
  auto created = admin.post("/stores", {{"name", "새 가게"},
                                        {"category", "분식"},
                                        {"address", "서울 강남구"},
                                        {"lat", 37.5},
                                        {"lon", 127.03}});
  ASSERT_EQ(created.status, 201) << created.raw;
  const auto store_id = created.body.at("storeId").as_int64();
  new_owner["storeId"] = store_id;
  auto made = onboard(new_owner);
  EXPECT_EQ(made.status, 201) << made.raw;
  EXPECT_EQ(login("owner_new", "correct horse battery").body.at("storeId").as_int64(), store_id);
}

// The store service down, auth cannot say whether the store exists: 503, nothing made.
TEST_F(Accounts, AnOwnerIsNotMadeWhileTheStoreServiceCannotSayWhetherItsStoreExists) {
  platform.kill("store");
  auto refused = admin.post("/auth/accounts", {{"role", "owner"},
                                               {"username", "owner_later"},
                                               {"password", "correct horse battery"},
                                               {"storeId", 1}});
  EXPECT_EQ(refused.status, 503) << refused.raw;
  EXPECT_EQ(refused.content_type, "application/problem+json");
  EXPECT_NE(refused.raw.find("cannot say now whether store 1 exists"), std::string::npos) << refused.raw;
  EXPECT_EQ(admin.get("/auth/accounts/owner_later").status, 404) << "made while refused";
}

TEST_F(Accounts, EachCommandRefusesTheWrongRoleBadInputAnUnknownAccountAndAConflictChangingNothing) {
  Api customer(platform.gateway_port()), owner(platform.gateway_port()), anonymous(platform.gateway_port());
  customer.login("customer1");
  owner.login("owner1");
  const boost::json::object rider{{"role", "rider"}, {"username", "rider_new"}, {"password", "correct horse battery"}};

  // Making an account.
  EXPECT_EQ(anonymous.post("/auth/accounts", rider).status, 401);
  expect_refused(customer.post("/auth/accounts", rider), 403, "needs the admin role", "a customer");
  expect_refused(owner.post("/auth/accounts", rider), 403, "needs the admin role", "an owner");
  auto with = [&](const char* key, boost::json::value value) {
    auto body = rider;
    body[key] = std::move(value);
    return body;
  };
  expect_refused(admin.post("/auth/accounts", with("role", "customer")), 400, "role must be owner or rider", "role");
  expect_refused(admin.post("/auth/accounts", with("role", "owner")), 400, "storeId is required", "owner");
  expect_refused(admin.post("/auth/accounts", with("storeId", 1)), 400, "storeId is for owners only", "rider");
  expect_refused(admin.post("/auth/accounts", with("username", "Rider New")), 400, "username must be", "username");
  expect_refused(admin.post("/auth/accounts", with("password", "short")), 400, "at least 10 characters", "short");
  expect_refused(admin.post("/auth/accounts", with("password", "password123")), 400, "too easy to guess", "weak");
  expect_refused(admin.post("/auth/accounts", with("isAdmin", true)), 400, "unknown field 'isAdmin'", "field");
  expect_refused(admin.post("/auth/accounts", with("username", "customer1")), 409, "username customer1 is taken",
                 "taken");
  EXPECT_EQ(total_accounts(), 7) << "a refusal makes no account";
  EXPECT_EQ(login("rider_new", "correct horse battery").status, 401);
  EXPECT_EQ(account("customer1").at("role").as_string(), "customer");

  // Listing and reading accounts.
  expect_refused(customer.get("/auth/accounts"), 403, "needs the admin role", "list");
  expect_refused(admin.get("/auth/accounts?role=boss"), 400, "query parameter role must be", "role filter");
  expect_refused(admin.get("/auth/accounts?sort=password"), 400, "query parameter sort", "sort");
  expect_refused(customer.get("/auth/accounts/customer1"), 403, "needs the admin role", "read");
  expect_refused(admin.get("/auth/accounts/nobody"), 404, "no account nobody", "unknown");

  // Disabling and enabling.
  expect_refused(customer.call("PUT", "/auth/accounts/customer2/disable"), 403, "needs the admin role", "disable");
  expect_refused(owner.call("PUT", "/auth/accounts/rider1/enable"), 403, "needs the admin role", "enable");
  expect_refused(admin.call("PUT", "/auth/accounts/nobody/disable"), 404, "no account nobody", "disable unknown");
  expect_refused(admin.call("PUT", "/auth/accounts/nobody/enable"), 404, "no account nobody", "enable unknown");
  expect_refused(admin.call("PUT", "/auth/accounts/customer2/enable"), 409, "account customer2 is not disabled",
                 "enable an enabled one");
  expect_refused(admin.call("PUT", "/auth/accounts/admin/disable"), 409, "the last enabled admin account",
                 "the last admin");
  EXPECT_FALSE(account("admin").at("disabled").as_bool());
  EXPECT_EQ(admin.get("/auth/me").status, 200) << "the admin's own login goes on";
  ASSERT_EQ(admin.call("PUT", "/auth/accounts/customer2/disable").status, 200);
  auto disabled_at = account("customer2").at("disabledAt");
  expect_refused(admin.call("PUT", "/auth/accounts/customer2/disable"), 409, "account customer2 is already disabled",
                 "disable a disabled one");
  EXPECT_EQ(account("customer2").at("disabledAt"), disabled_at) << "the refusal changed nothing";
  EXPECT_EQ(account("customer1").at("disabled").as_bool(), false);
  EXPECT_EQ(customer.get("/orders").status, 200) << "nobody else's login ends";
}

TEST_F(Accounts, ADisabledCustomersTokensStopWorkingInEveryServiceAndEnablingLetsItLogInAgain) {
  auto first = login("customer1");
  ASSERT_EQ(first.status, 200) << first.raw;
  Api customer(platform.gateway_port()), other_device(platform.gateway_port());
  customer.token(std::string(first.body.at("accessToken").as_string()));
  auto refresh_token = std::string(first.body.at("refreshToken").as_string());
  other_device.login("customer1");
  Api customer2(platform.gateway_port());
  customer2.login("customer2");

  auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
  ASSERT_EQ(placed.status, 201) << placed.raw;
  const auto order_id = std::to_string(placed.body.at("orderId").as_int64());
  // One call into each service, through the gateway, that reads the caller's token.
  const std::vector<std::pair<std::string, std::string>> calls{
      {"order", "/orders"},          {"payment", "/payments/" + order_id}, {"store", "/foodCookings"},
      {"rider", "/deliveries"},      {"customer", "/orderStatuses"},      {"auth", "/auth/me"}};
  for (const auto& [service, target] : calls)
    EXPECT_NE(customer.get(target).status, 401) << service << " " << target << " before";

  auto disabled = admin.call("PUT", "/auth/accounts/customer1/disable");
  ASSERT_EQ(disabled.status, 200) << disabled.raw;
  EXPECT_TRUE(disabled.body.at("disabled").as_bool());
  EXPECT_EQ(disabled.body.at("_links").at("enable").at("href").as_string(), "/auth/accounts/customer1/enable");

  // Every login of it ends, in every service, by event.
  for (auto* api : {&customer, &other_device})
    for (const auto& [service, target] : calls) {
      Reply reply;
      EXPECT_TRUE(eventually([&] {
        reply = api->get(target);
        return reply.status == 401;
      })) << service << " " << target << " still answers " << reply.status;
      EXPECT_EQ(reply.content_type, "application/problem+json") << service;
      EXPECT_NE(reply.raw.find("revoked"), std::string::npos) << service << ": " << reply.raw;
    }
  // It cannot log in or refresh, and is told why; nobody else is touched.
  expect_refused(login("customer1"), 403, "account customer1 is disabled", "login");
  expect_refused(login("customer1", "wrong-password"), 401, "username or password is wrong", "a wrong password");
  expect_refused(Api(platform.gateway_port()).post("/auth/refresh", {{"refreshToken", refresh_token}}), 403,
                 "account customer1 is disabled", "refresh");
  EXPECT_EQ(customer2.get("/orders").status, 200);

  // Enabled again, it logs in anew; what it held stays dead.
  auto enabled = admin.call("PUT", "/auth/accounts/customer1/enable");
  ASSERT_EQ(enabled.status, 200) << enabled.raw;
  EXPECT_FALSE(enabled.body.at("disabled").as_bool());
  EXPECT_FALSE(enabled.body.as_object().contains("disabledAt"));
  for (const auto& [service, target] : calls) EXPECT_EQ(customer.get(target).status, 401) << service << " after";
  EXPECT_EQ(Api(platform.gateway_port()).post("/auth/refresh", {{"refreshToken", refresh_token}}).status, 401);
  Api again(platform.gateway_port());
  again.login("customer1");
  EXPECT_EQ(again.get("/orders").status, 200);
  EXPECT_EQ(again.get("/orders/" + order_id).status, 200) << "its orders are still its own";
}

// A database from before the Argon2 parameters changed (19 MiB and 2 passes, now 7 MiB and 5):
// its hashes still check, and each is made again with today's at its account's next login.
TEST_F(Accounts, AHashFromEarlierParametersStillLogsInAndIsMadeAgainWithTodays) {
  auto db = platform::open_database("sqlite:" + platform.data_dir() + "/auth.db");
  auto stored_hash = [&] {
    return db->query_one("SELECT password_hash FROM accounts WHERE username = 'customer1'")->text("password_hash");
  };
  // libargon2's argon2id_hash_encoded(2 passes, 19456 KiB, 1 lane, "demo1234", salt 01 00 ... 00).
  const std::string earlier = "$argon2id$v=19$m=19456,t=2,p=1$AQAAAAAAAAAAAAAAAAAAAA$9A0gsDCJoq68VdnGfjN5RJr+LMmqO/yi2dqHMZQC9jo";
  db->exec("UPDATE accounts SET password_hash = ? WHERE username = 'customer1'", {earlier});

  expect_refused(login("customer1", "wrong-password"), 401, "username or password is wrong", "a wrong password");
  EXPECT_EQ(stored_hash(), earlier) << "a wrong password changes nothing";

  auto first = login("customer1");
  ASSERT_EQ(first.status, 200) << first.raw;
  auto today = stored_hash();
  EXPECT_EQ(today.rfind("$argon2id$v=19$m=7168,t=5,p=1$", 0), 0u) << today;

  auto second = login("customer1");
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(stored_hash(), today) << "made again once, not at every login";
}

}  // namespace
