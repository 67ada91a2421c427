// The web app in a real browser (Debian's chromium driven by playwright-core) against a
// real platform whose gateway serves web/dist at /: four browser contexts, a customer,
// an owner, a rider and the operator (who makes a store and its owner, who runs it), go
// through the whole journey (web/e2e/journey.mjs).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/command.hpp"
#include "support/platform_fixture.hpp"

namespace {

TEST(WebApp, TheWholeJourneyInARealBrowser) {
  auto web = std::filesystem::path(FD_SOURCE_DIR) / "web";
  ASSERT_TRUE(std::filesystem::exists(web / "dist" / "index.html")) << "build the web app first: make web";
  fd::test::TestPlatform platform;
  auto result = fd::test::run_command("cd '" + web.string() + "' && FD_WEB_URL=" + platform.gateway_url() +
                                      " FD_E2E_SERVE=direct node e2e/journey.mjs");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find(" 0 failed"), std::string::npos) << result.output;
}

}  // namespace
