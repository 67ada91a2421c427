// fooddelivery lag on a real platform, on each bus, run as the operator would: through
// scripts/platform run viewer (so the viewer identity's NATS permissions are part of the test).
// Every wait is a bounded poll of a state, never a sleep sized to the machine's speed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "contracts/events.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::eventually;

const std::vector<std::string> kConsumers(contracts::kServices.begin(), contracts::kServices.end());

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A consumer's lag in `lag --json`'s object; -1 when it is missing or not a number (null: no
// such consumer yet).
std::int64_t lag_of(const boost::json::object& shown, const std::string& consumer) {
  const auto* lags = shown.if_contains("lag");
  const auto* lag = lags && lags->is_object() ? lags->as_object().if_contains(consumer) : nullptr;
  return lag && lag->is_int64() ? lag->as_int64() : -1;
}

std::int64_t total_of(const boost::json::object& shown) {
  const auto* total = shown.if_contains("total");
  return total && total->is_int64() ? total->as_int64() : -1;
}

class LagCommand : public fd::test::CustomerAndOwner, public fd::test::OnEachBus {
 protected:
  LagCommand() : CustomerAndOwner(bus_env()) {}

  // `scripts/platform run viewer -- fooddelivery lag <args>` with the platform's environment.
  std::vector<std::string> lag_argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"/usr/bin/env"};
    for (const auto& [variable, value] : platform.env()) argv.push_back(variable + "=" + value);
    argv.insert(argv.end(), {"bash", std::string(FD_SOURCE_DIR) + "/scripts/platform", "run", "viewer", "--",
                             std::string(FD_BUILD_DIR) + "/bin/fooddelivery", "lag"});
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  fd::test::CommandResult lag(const std::vector<std::string>& args) const {
    std::string command;
    for (const auto& arg : lag_argv(args)) command += (command.empty() ? "'" : " '") + arg + "'";
    return fd::test::run_command(command);
  }

  // The one JSON object `lag --json` prints (its output with nothing else); null on failure.
  boost::json::object lag_json(const std::vector<std::string>& args = {}) const {
    auto args_json = args;
    args_json.push_back("--json");
    auto ran = lag(args_json);
    if (ran.status != 0) {
      ADD_FAILURE() << ran.output;
      return {};
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(ran.output, ec);
    if (ec || !parsed.is_object()) {
      ADD_FAILURE() << "not one JSON object: " << ran.output;
      return {};
    }
    return parsed.as_object();
  }

  // Places an order and waits until it reaches the owner's list (its saga's two hops).
  void order_goes_round() {
    auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
    ASSERT_EQ(placed.status, 201) << placed.raw;
    auto target = "/foodCookings/" + std::to_string(placed.body.at("orderId").as_int64());
    ASSERT_TRUE(eventually([&] { return owner.get(target).status == 200; })) << target;
  }
};

TEST_P(LagCommand, AfterAnOrderGoesRoundEveryConsumerIsAtZero) {
  order_goes_round();
  // The read models apply the order's events after the owner sees it: wait for them.
  auto caught_up = lag({"--until-zero", "10"});
  EXPECT_EQ(caught_up.status, 0) << caught_up.output;
  EXPECT_TRUE(contains(caught_up.output, "every consumer's lag is 0 after")) << caught_up.output;

  auto shown = lag_json();
  ASSERT_TRUE(shown.contains("lag") && shown.at("lag").is_object()) << shown;
  EXPECT_TRUE(shown.contains("at") && shown.at("at").is_string()) << shown;
  const auto& lags = shown.at("lag").as_object();
  EXPECT_EQ(lags.size(), kConsumers.size()) << shown;
  for (const auto& consumer : kConsumers) EXPECT_EQ(lag_of(shown, consumer), 0) << consumer << ": " << shown;
  EXPECT_EQ(total_of(shown), 0) << shown;

  // Chosen consumers only, in the order asked for, in words.
  auto chosen = lag({"--consumer", "store", "--consumer", "order"});
  EXPECT_EQ(chosen.status, 0) << chosen.output;
  EXPECT_TRUE(contains(chosen.output, "lag 0: store 0, order 0\n")) << chosen.output;
}

TEST_P(LagCommand, AStoppedServicesConsumerLagsAndIsNamedUntilItCatchesUp) {
  std::string stopped;
  ASSERT_EQ(platform.run_script("stop", "customer", &stopped), 0) << stopped;
  // The saga goes on without the customer service's read model, whose consumer falls behind.
  for (int i = 0; i < 3; ++i) order_goes_round();

  // The running services catch up; the stopped one's lag stays.
  boost::json::object shown;
  EXPECT_TRUE(eventually([&] {
    shown = lag_json();
    for (const auto& consumer : kConsumers)
      if (consumer != "customer" && lag_of(shown, consumer) != 0) return false;
    return lag_of(shown, "customer") > 0 && total_of(shown) == lag_of(shown, "customer");
  })) << shown;

  auto waited = lag({"--until-zero", "1"});
  EXPECT_EQ(waited.status, 1) << waited.output;
  EXPECT_TRUE(contains(waited.output, "still lagging after")) << waited.output;
  EXPECT_TRUE(contains(waited.output, ": customer ")) << waited.output;
  EXPECT_FALSE(contains(waited.output, "order ")) << "only the lagging are named: " << waited.output;

  // Started again, it catches up.
  platform.start("customer");
  auto caught_up = lag({"--until-zero", "30"});
  EXPECT_EQ(caught_up.status, 0) << caught_up.output;
}

TEST_P(LagCommand, FollowSamplesUntilInterrupted) {
  const std::string log = platform.root_dir() + "/lag-follow.log";
  pid_t pid = fd::test::spawn(lag_argv({"--follow", "--json", "--interval", "100"}), log);
  auto lines = [&] {
    std::ifstream in(log);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  EXPECT_TRUE(eventually([&] { return lines().size() >= 2; })) << fd::test::read_file(log);
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << ": " << fd::test::read_file(log);
  for (const auto& line : lines()) {
    boost::system::error_code ec;
    auto sample = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    EXPECT_TRUE(sample.is_object() && sample.as_object().contains("total")) << line;
  }
}

FD_INSTANTIATE_ON_EACH_BUS(LagCommand);

// Refused before any bus is read, with exit status 2 and what is wrong.
TEST(LagCommandUsage, UsageErrorsExitTwo) {
  const std::string lag = std::string(FD_BUILD_DIR) + "/bin/fooddelivery lag";
  struct Case {
    std::string args, says;
  };
  for (const auto& c : std::vector<Case>{{"--consumer nobody", "--consumer"},
                                          {"--interval 0", "--interval"},
                                          {"--until-zero 0", "--until-zero"},
                                          {"--follow --until-zero 5", "excludes"},
                                          {"--bus http://127.0.0.1:1", "no bus URL"},
                                          {"--frobnicate", "frobnicate"}}) {
    auto ran = fd::test::run_command(lag + " " + c.args);
    EXPECT_EQ(ran.status, 2) << c.args << ": " << ran.output;
    EXPECT_TRUE(contains(ran.output, c.says)) << c.args << ": " << ran.output;
    EXPECT_TRUE(contains(ran.output, "fooddelivery lag")) << c.args << ": " << ran.output;
  }
}

// Nothing listening where the bus should be: exit 1, naming where it looked.
TEST(LagCommandUsage, AnUnreachableBusIsNamed) {
  auto ran = fd::test::run_command(std::string(FD_BUILD_DIR) +
                                   "/bin/fooddelivery lag --bus '' --nats nats://127.0.0.1:1");
  EXPECT_EQ(ran.status, 1) << ran.output;
  EXPECT_TRUE(contains(ran.output, "127.0.0.1:1")) << ran.output;
}

}  // namespace
