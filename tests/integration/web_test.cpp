// The web app in a real browser (Debian's chromium driven by playwright-core) against a
// real platform whose gateway serves web/dist at /: three browser contexts, a customer,
// an owner and a rider, go through the whole journey (web/e2e/journey.mjs).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "support/platform_fixture.hpp"

namespace {

TEST(WebApp, TheWholeJourneyInARealBrowser) {
  auto web = std::filesystem::path(FD_SOURCE_DIR) / "web";
  ASSERT_TRUE(std::filesystem::exists(web / "dist" / "index.html")) << "build the web app first: make web";
  fd::test::TestPlatform platform;
  auto command = "cd '" + web.string() + "' && FD_WEB_URL=" + platform.gateway_url() +
                 " FD_E2E_SERVE=direct node e2e/journey.mjs 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buffer{};
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find(" 0 failed"), std::string::npos) << output;
}

}  // namespace
