// C5 from the outside: the drill command against a real platform whose payment service
// accepts injected faults. Its output must show the breaker open, fail fast and close.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "support/command.hpp"
#include "support/platform_fixture.hpp"

namespace {

TEST(CircuitBreakerDrill, OpensUnderASlowPaymentFailsFastAndClosesAgain) {
  fd::test::TestPlatform platform({{"FD_FAULTS", "1"}, {"FD_BREAKER_PAYMENT_OPEN_WAIT_MS", "1000"}});
  auto command = std::string(FD_BUILD_DIR) + "/bin/fooddelivery drill c5 -c 4 -d 2 --delay 700" +
                 " --gateway " + platform.gateway_url() +
                 " --order http://127.0.0.1:" + std::to_string(platform.port("order")) +
                 " --payment http://127.0.0.1:" + std::to_string(platform.port("payment")) +
                 " --data " + platform.data_dir();
  auto result = fd::test::run_command(command);
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("breaker order→payment: OPEN"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("breaker order→payment: CLOSED"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("C5 verdict: ok"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("availability 0.00"), std::string::npos) << result.output;
}

TEST(CircuitBreakerDrill, SaysHowToTurnFaultsOnWhenTheyAreOff) {
  fd::test::TestPlatform platform;
  auto result = fd::test::run_command(std::string(FD_BUILD_DIR) + "/bin/fooddelivery drill c5 -d 1 --gateway " + platform.gateway_url() +
                    " --order http://127.0.0.1:" + std::to_string(platform.port("order")) +
                    " --payment http://127.0.0.1:" + std::to_string(platform.port("payment")) + " --data " +
                    platform.data_dir());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("FD_FAULTS=1"), std::string::npos) << result.output;
}

}  // namespace
