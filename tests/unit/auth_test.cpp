#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/account.hpp"
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
  EXPECT_EQ(names, (std::vector<std::string>{"customer1", "customer2", "owner1", "owner2", "rider1", "rider2"}));
}

}  // namespace
