// What the container images (deploy/images, built by scripts/images: `make images`, not part of
// make test) take from the tree, checked without building them: every file a Containerfile
// copies exists and gets through the build context's ignore file; the web image's page policy
// is the gateway's; the gateway's address setting the gateway image listens with; and
// scripts/platform refusing a bad FD_CONTAINERS.
#include <gtest/gtest.h>

#include <fnmatch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "platform/process.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::read_file;

const std::vector<std::string> kServices = {"auth", "order", "payment", "store", "customer", "rider"};
const std::string kSource = FD_SOURCE_DIR;


std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The sources of each COPY of a Containerfile (continued lines joined; --options skipped).
std::vector<std::string> copied_sources(const std::string& containerfile) {
  std::istringstream in(read_file(containerfile));
  std::vector<std::string> sources;
  std::string line, instruction;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) continue;
    bool continued = line.ends_with("\\");
    instruction += continued ? line.substr(0, line.size() - 1) + " " : line;
    if (continued) continue;
    auto w = words(instruction);
    instruction.clear();
    if (w.size() < 3 || w[0] != "COPY") continue;
    for (std::size_t i = 1; i + 1 < w.size(); ++i)
      if (!w[i].starts_with("--")) sources.push_back(w[i]);
  }
  return sources;
}

// What containerignore lets into the context: "*" then one "!<pattern>" per thing let in.
bool let_in(const std::string& path, const std::vector<std::string>& allowed) {
  for (const auto& pattern : allowed)
    if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0 || path.starts_with(pattern + "/")) return true;
  return false;
}

std::vector<std::string> allowed_paths() {
  std::istringstream in(read_file(kSource + "/deploy/images/containerignore"));
  std::vector<std::string> allowed;
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("!")) allowed.push_back(line.substr(1));
  return allowed;
}

TEST(ImageRecipes, EveryFileAContainerfileCopiesIsInTheTreeAndInTheContext) {
  auto allowed = allowed_paths();
  ASSERT_FALSE(allowed.empty()) << "containerignore lets nothing in";
  int containerfiles = 0, copies = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/deploy/images")) {
    if (entry.path().extension() != ".Containerfile") continue;
    ++containerfiles;
    for (const auto& source : copied_sources(entry.path().string())) {
      // The service image copies its binary: one per service (SERVICE is a build argument).
      std::vector<std::string> paths;
      if (auto at = source.find("${SERVICE}"); at != std::string::npos) {
        for (const auto& s : kServices) paths.push_back(std::string(source).replace(at, 10, s));
      } else {
        paths.push_back(source);
      }
      for (const auto& path : paths) {
        ++copies;
        EXPECT_TRUE(let_in(path, allowed)) << entry.path() << " copies " << path << ", which containerignore keeps out";
        // The Release binaries are those of this build's targets (the test build's bin/ holds them too).
        const std::string release_bin = "build/release/bin/";
        auto on_disk = path.starts_with(release_bin) ? std::string(FD_BUILD_DIR) + "/bin/" + path.substr(release_bin.size())
                                                     : kSource + "/" + path;
        EXPECT_TRUE(std::filesystem::exists(on_disk)) << entry.path() << " copies " << path << ": " << on_disk
                                                      << " does not exist";
      }
    }
  }
  EXPECT_EQ(containerfiles, 5) << "service, gateway, web, nats, postgres";
  EXPECT_GE(copies, 10);
}

TEST(ImageRecipes, AFileOutsideTheContextIsNoticed) {
  auto allowed = allowed_paths();
  EXPECT_TRUE(let_in("gateway/render", allowed));
  EXPECT_TRUE(let_in("build/release/bin/fd-order", allowed));
  EXPECT_FALSE(let_in("build/release/bin/unit_tests", allowed));
  EXPECT_FALSE(let_in("services/order/main.cpp", allowed));
}

// The first "..." from `marker` on, on the line that holds it.
std::string quoted_after(const std::string& text, const std::string& marker) {
  auto at = text.find(marker);
  if (at == std::string::npos) return "";
  auto open = text.find('"', at);
  auto close = text.find('"', open + 1);
  auto eol = text.find('\n', at);
  if (open == std::string::npos || close == std::string::npos || close > eol) return "";
  return text.substr(open + 1, close - open - 1);
}

// The web image serves the page the gateway serves at /, under the same Content-Security-Policy.
TEST(ImageRecipes, TheWebImageGivesThePageTheGatewaysPolicy) {
  auto gateway = quoted_after(read_file(kSource + "/gateway/nginx.conf.in"), "set $fd_csp \"default-src 'self'");
  auto web = quoted_after(read_file(kSource + "/deploy/images/web-nginx.conf"), "add_header Content-Security-Policy");
  ASSERT_FALSE(gateway.empty()) << "the page's policy (set $fd_csp \"default-src 'self' ...) not found in nginx.conf.in";
  EXPECT_EQ(web, gateway);
}

std::vector<std::string> gateway_env(const std::string& host) {
  std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FD_GATEWAY_PORT=9100"};
  int port = 9101;
  for (auto s : kServices) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env.push_back("FD_" + s + "_PORT=" + std::to_string(port++));
  }
  if (!host.empty()) env.push_back("FD_GATEWAY_HOST=" + host);
  return env;
}

// The gateway image listens on every address (FD_GATEWAY_HOST=0.0.0.0) so that a published port
// reaches it; on the host, and by default, only loopback.
TEST(GatewayRender, ListensOnFdGatewayHost) {
  auto dir = fd::test::make_temp_dir("fd-render-host-");
  for (const auto& [host, listen] : std::map<std::string, std::string>{{"", "listen 127.0.0.1:9100 "},
                                                                        {"0.0.0.0", "listen 0.0.0.0:9100 "}}) {
    auto env = gateway_env(host);
    auto rendered = platform::run_process({"bash", kSource + "/gateway/render", dir}, &env);
    ASSERT_EQ(rendered.status, 0) << rendered.output;
    auto conf = read_file(dir + "/nginx.conf");
    EXPECT_NE(conf.find(listen), std::string::npos) << "FD_GATEWAY_HOST='" << host << "'\n" << conf;
  }
  auto env = gateway_env("localhost; evil");
  auto refused = platform::run_process({"bash", kSource + "/gateway/render", dir}, &env);
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("FD_GATEWAY_HOST must be an IPv4 address"), std::string::npos) << refused.output;
  std::filesystem::remove_all(dir);
}

TEST(PlatformContainers, StartRefusesAnFdContainersThatIsNeitherZeroNorOne) {
  auto dir = fd::test::make_temp_dir("fd-containers-");
  std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FD_CONTAINERS=yes",
                                  "FD_DATA_DIR=" + dir + "/data", "FD_RUN_DIR=" + dir + "/run",
                                  "FD_BUILD_DIR=" + std::string(FD_BUILD_DIR)};
  auto started = platform::run_process({"bash", kSource + "/scripts/platform", "start"}, &env);
  EXPECT_EQ(started.status, 2) << started.output;
  EXPECT_NE(started.output.find("FD_CONTAINERS must be 0 (processes) or 1 (containers), not 'yes'"), std::string::npos)
      << started.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
