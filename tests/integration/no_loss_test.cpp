// The no-loss checker at a modest size: `fooddelivery chaos` places at least 150 orders
// through the gateway (some cancelled at once, some rejected or accepted by the owner, some
// declined) while it SIGKILLs a random part (nats-server or a service; on Kafka a service)
// every 700 ms and starts it again, and goes on until it made at least 10 kills however slow
// the machine is;
// then it drains and checks every order acknowledged with 201 in every service and in the
// stream. Its verdict is asserted as it is: an anomaly it reports is a real one.
// The KakaoTalk messages go to a fake Kakao here, so that a message really sent twice for
// one status (not only stored twice) is caught too.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <map>
#include <regex>

#include "support/fake_kakao.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"

namespace {

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The CLI restarts parts through scripts/platform, which must see the platform's own
// folders, ports and profile, and the extra variables the platform was started with (a
// restarted service gets its environment anew): the variables the fixture gives the script.
std::string platform_env(const fd::test::TestPlatform& platform) {
  std::string env = "env";
  for (const auto& [variable, value] : platform.env()) env += " " + variable + "=" + quoted(value);
  // (the CLI prefers FD_NATS_URL when the caller's environment has one; on Kafka it reads
  // FD_BUS_URL)
  if (platform.bus() == "kafka") return env + " FD_BUS_URL=" + quoted(platform.bus_url());
  return env + " FD_NATS_URL=" + quoted(platform.nats_url());
}

// On JetStream and on Kafka (where the broker is never killed: the test broker keeps nothing).
class NoLoss : public ::testing::Test, public fd::test::OnEachBus {};
FD_INSTANTIATE_ON_EACH_BUS(NoLoss);

TEST_P(NoLoss, EveryAcknowledgedOrderReachesOneConsistentStateWhilePartsAreKilled) {
  fd::test::FakeKakao kakao;
  fd::test::TestPlatform::Env extra{{"FD_KAKAO_BASE_URL", kakao.base_url()}, {"FD_KAKAO_TOKEN", kakao.token()}};
  extra.merge(bus_env());
  fd::test::TestPlatform platform(extra);
  // The bounds (placing 400 s, draining 60 s) leave the run time to finish within the
  // test's own timeout (900 s on the cluster), however slow the machine, and fail it with the
  // reason if they pass. Each kill waits for the part to be back: on a busy machine a
  // cluster's part took 20 s to come back, so 150 s made only 7 of the 10 kills.
  // The parts killed are the profile's: nats and every service, or in the cluster nats,
  // PostgreSQL and every replica (one at a time).
  auto result = fd::test::run_command(platform_env(platform) + " " + FD_BUILD_DIR + "/bin/fooddelivery chaos" +
                    " --orders 150 --min-kills 10 --max-seconds 400 --concurrency 4 --rate 10 --kill-every 700" +
                    " --drain-timeout 60 --profile " + platform.profile() +
                    " --platform-script " + quoted(std::string(FD_SOURCE_DIR) + "/scripts/platform"));
  // The whole report (seed, kills, and every anomaly with what each service says) on failure.
  EXPECT_EQ(result.status, 0) << result.output;
  std::smatch verdict;
  ASSERT_TRUE(std::regex_search(result.output, verdict,
                                std::regex(R"(orders acknowledged (\d+), kills (\d+), lost (\d+), duplicated (\d+), )"
                                           R"(inconsistent (\d+))")))
      << result.output;
  // How many orders and kills it took depends on the machine's speed: the log shows them,
  // and how many orders were acknowledged on the first attempt and after retries.
  std::printf("%s\n", verdict.str(0).c_str());
  std::smatch availability;
  EXPECT_TRUE(std::regex_search(result.output, availability, std::regex(R"(availability: [^\n]*)"))) << result.output;
  std::printf("%s\n", availability.str(0).c_str());
  // Orders go on past 150 while the kills are not made yet.
  const auto orders = std::stoul(verdict[1]);
  EXPECT_GE(orders, 150u) << result.output;
  EXPECT_GE(std::stoi(verdict[2]), 10) << "too few kills to prove anything\n" << result.output;
  EXPECT_EQ(std::stoi(verdict[3]), 0) << "lost orders\n" << result.output;
  EXPECT_EQ(std::stoi(verdict[4]), 0) << "duplicated effects\n" << result.output;
  EXPECT_EQ(std::stoi(verdict[5]), 0) << "services disagree\n" << result.output;
  EXPECT_NE(result.output.find("verdict: ok"), std::string::npos) << result.output;

  // Each (order, status) message reached Kakao once: the text names the order and the status.
  std::map<std::string, int> sent;
  for (const auto& message : kakao.messages()) ++sent[message.text];
  std::string twice;
  for (const auto& [text, n] : sent)
    if (n > 1) twice += "  " + std::to_string(n) + " × " + text + "\n";
  EXPECT_TRUE(twice.empty()) << "KakaoTalk messages sent more than once:\n" << twice;
  EXPECT_TRUE(kakao.problems().empty());
  EXPECT_GE(sent.size(), 2 * orders) << "every order makes at least two messages";
  // Everything is still (or again) up and healthy after the run.
  EXPECT_EQ(platform.run_script("start"), 0);
}

}  // namespace
