// Login and sign-up under abuse (issue 11): the backoff per username, the same work for
// unknown usernames, the password policy, the pool that keeps auth answering while logins
// are hammered, and the gateway's own limit for logins. What is proven is counted; the one
// comparison of durations compares two kinds of request on the same machine at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::Reply;
using fd::test::TestPlatform;

Reply login(Api& api, const std::string& username, const std::string& password) {
  return api.post("/auth/login", {{"username", username}, {"password", password}});
}

TEST(AuthAbuse, AUsernameIsLockedAfterRepeatedFailuresEvenForTheRightPasswordUntilTheLockEnds) {
  TestPlatform platform{{"FD_LOGIN_BACKOFF_AFTER", "3"}, {"FD_LOGIN_BACKOFF_FIRST_MS", "1000"}};
  Api api(platform.gateway_port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login(api, "customer1", "wrong-password").status, 401);
  auto locked = login(api, "customer1", "demo1234");
  EXPECT_EQ(locked.status, 429) << locked.raw;
  EXPECT_EQ(locked.content_type, "application/problem+json");
  EXPECT_EQ(locked.header("Retry-After"), "1");
  EXPECT_NE(locked.raw.find("too many failed logins for this username"), std::string::npos) << locked.raw;
  EXPECT_NE(locked.raw.find("ends by itself"), std::string::npos) << locked.raw;

  // Another account is not touched, and an unknown username is treated like a known one.
  EXPECT_EQ(login(api, "customer2", "demo1234").status, 200);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login(api, "nobody_here", "wrong-password").status, 401);
  auto unknown = login(api, "nobody_here", "wrong-password");
  EXPECT_EQ(unknown.status, 429);
  EXPECT_EQ(unknown.raw, locked.raw);

  // The lock ends by itself, and a success forgets the failures.
  EXPECT_TRUE(eventually([&] { return login(api, "customer1", "demo1234").status == 200; }, std::chrono::seconds(5)));
  for (int i = 0; i < 2; ++i) EXPECT_EQ(login(api, "customer1", "wrong-password").status, 401);
  EXPECT_EQ(login(api, "customer1", "demo1234").status, 200);
  EXPECT_EQ(login(api, "customer1", "wrong-password").status, 401);
}

TEST(AuthAbuse, AnUnknownUsernameCostsTheSameWorkAsAWrongPassword) {
  // Without a dummy hash an unknown username was answered about 15 times faster than a known
  // one. Both kinds, interleaved, straight to auth; the lockout kept out of the way.
  TestPlatform platform{{"FD_LOGIN_BACKOFF_AFTER", "1000"}};
  Api auth(platform.port("auth"));
  auto timed = [&](const std::string& username) {
    auto start = std::chrono::steady_clock::now();
    auto reply = login(auth, username, "wrong-password");
    EXPECT_EQ(reply.status, 401) << reply.raw;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<double> known, unknown;
  for (int i = 0; i < 15; ++i) {
    known.push_back(timed("customer1"));
    unknown.push_back(timed("ghost_" + std::to_string(i)));
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  EXPECT_GT(median(unknown), 0.5 * median(known)) << "unknown " << median(unknown) << " ms, known " << median(known)
                                                  << " ms";
}

TEST(AuthAbuse, SignUpRefusesShortAndEasyPasswordsSayingWhichRule) {
  TestPlatform platform;
  Api api(platform.gateway_port());
  auto sign_up = [&](const std::string& username, const std::string& password) {
    return api.post("/auth/signup", {{"username", username}, {"password", password}, {"displayName", "Kim Newbie"}});
  };
  for (const char* short_one : {"aaaaaaaa", "password", "김치찌개된장찌개비"}) {
    auto reply = sign_up("newbie", short_one);
    EXPECT_EQ(reply.status, 400) << short_one;
    EXPECT_EQ(reply.content_type, "application/problem+json");
    EXPECT_NE(reply.raw.find("at least 10 characters"), std::string::npos) << reply.raw;
  }
  for (const char* easy : {"password123", "aaaaaaaaaa", "1234567890", "qwertyuiop", "newbie123456", "kimnewbie99"}) {
    auto reply = sign_up("newbie", easy);
    EXPECT_EQ(reply.status, 400) << easy;
    EXPECT_NE(reply.raw.find("password is too easy to guess"), std::string::npos) << reply.raw;
  }
  EXPECT_EQ(sign_up("newbie", "kimchi-stew-42").status, 201);
  // Nothing was created by the refused ones, and the demo accounts keep their password.
  EXPECT_EQ(login(api, "newbie", "password123").status, 401);
  EXPECT_EQ(login(api, "customer1", "demo1234").status, 200);
}

TEST(AuthAbuse, WhileLoginsAreHammeredHealthAnswersAndARealLoginSucceeds) {
  // Eight clients send wrong passwords for usernames that change every time (the worst
  // case: no lockout ever saves the hashing). The pool admits 2 + 8: all of them and one more.
  TestPlatform platform{{"FD_CPU_THREADS", "2"}, {"FD_CPU_QUEUE", "8"}};
  auto port = static_cast<std::uint16_t>(platform.port("auth"));
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::mutex statuses_mutex;
  std::map<int, int> statuses;
  std::vector<std::thread> hammer;
  for (int t = 0; t < 8; ++t)
    hammer.emplace_back([&, t] {
      platform::HttpClient client("127.0.0.1", port, std::chrono::seconds(30));
      for (int i = 0; !stop; ++i) {
        auto body = R"({"username":"ghost_)" + std::to_string(t) + "_" + std::to_string(i) +
                    R"(","password":"wrong-password"})";
        auto status = client.send("POST", "/auth/login", body).status;
        ++answered;
        std::lock_guard lock(statuses_mutex);
        ++statuses[status];
      }
    });
  EXPECT_TRUE(eventually([&] { return answered >= 16; }, std::chrono::seconds(60)));

  platform::HttpClient health("127.0.0.1", port, std::chrono::seconds(10));
  Api real(platform.port("auth"));
  auto before = answered.load();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(health.get("/health").status, 200);
  auto logged_in = login(real, "customer2", "demo1234");
  EXPECT_EQ(logged_in.status, 200) << logged_in.raw;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(health.get("/health").status, 200);
  // The checks above ran while the hammering went on.
  EXPECT_TRUE(eventually([&] { return answered > before + 8; }, std::chrono::seconds(60)));

  stop = true;
  for (auto& thread : hammer) thread.join();
  EXPECT_EQ(statuses, (std::map<int, int>{{401, answered.load()}})) << "each wrong login answered, none refused";
}

TEST(AuthAbuse, TheGatewayLimitsLoginsPerAddressFarBelowEverythingElse) {
  // Loopback is exempt by default; here it is not.
  TestPlatform platform{{"FD_RATE_LIMIT_EXEMPT", ""}, {"FD_AUTH_RATE_LIMIT", "1"}, {"FD_AUTH_RATE_BURST", "3"}};
  Api api(platform.gateway_port());
  std::vector<Reply> limited;
  int passed = 0;
  for (const char* path : {"/auth/login", "/auth/login/", "/auth/signup", "/auth/refresh", "/auth/login",
                           "/auth/login", "/auth/login", "/auth/login", "/auth/login", "/auth/login"}) {
    auto reply = api.call("POST", path, "{}");
    if (reply.status == 429)
      limited.push_back(reply);
    else
      ++passed;
  }
  EXPECT_GE(passed, 3);
  ASSERT_GE(limited.size(), 5u);
  EXPECT_EQ(limited.front().content_type, "application/problem+json");
  EXPECT_EQ(limited.front().header("Retry-After"), "1");
  EXPECT_NE(limited.front().raw.find("too many logins, sign-ups or refreshes from this address: at most 1 per second"),
            std::string::npos)
      << limited.front().raw;
  // The rest of the API, /auth/me included, is held only to the general limit.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(api.get("/stores/1").status, 200);
    EXPECT_EQ(api.get("/auth/me").status, 401);
  }
  // Retry-After is honest.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(login(api, "customer1", "demo1234").status, 200);
}

}  // namespace
