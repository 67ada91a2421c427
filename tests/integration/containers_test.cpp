// The cluster profile as containers (scripts/platform with FD_CONTAINERS=1) on the images
// `make images` built: every part a container with a read-only root filesystem and a non-root
// user, an order's saga through the gateway, and a part's whole container killed (podman kill
// -s KILL) and brought back. Off unless FD_TEST_CONTAINERS=1 (as root, after make images):
// image builds and a containerised cluster take minutes, so they stay out of make test;
// bench/containers.md records the runs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "support/api.hpp"
#include "support/command.hpp"
#include "support/platform_fixture.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::run_command;

bool enabled() {
  const char* v = std::getenv("FD_TEST_CONTAINERS");
  return v != nullptr && std::string(v) == "1";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class Containers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!enabled()) GTEST_SKIP() << "set FD_TEST_CONTAINERS=1 (as root, after make images) to run it";
    prefix_ = "fd-test-" + std::to_string(::getpid()) + "-";
    platform_ = std::make_unique<fd::test::TestPlatform>(
        fd::test::TestPlatform::Env{{"FD_PROFILE", "cluster"}, {"FD_CONTAINERS", "1"}, {"FD_CONTAINER_PREFIX", prefix_}});
  }

  // podman with the platform's settings (runc, ulimits), as scripts/platform runs it.
  std::string podman(const std::string& args) const {
    auto result = run_command("CONTAINERS_CONF=" + std::string(FD_SOURCE_DIR) +
                              "/deploy/images/containers.conf podman " + args + " 2>&1");
    return trimmed(result.output);
  }
  std::string inspect(const std::string& part, const std::string& format) const {
    return podman("container inspect -f '" + format + "' " + prefix_ + part);
  }

  static std::int64_t place_order(Api& customer) {
    auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
    EXPECT_EQ(placed.status, 201) << placed.raw;
    return placed.status == 201 ? placed.body.at("orderId").as_int64() : -1;
  }
  static bool paid(Api& customer, std::int64_t id) {
    auto reply = customer.get("/orders/" + std::to_string(id));
    return reply.status == 200 && reply.body.at("status").as_string() == "PAID";
  }

  std::string prefix_;
  std::unique_ptr<fd::test::TestPlatform> platform_;
};

TEST_F(Containers, EveryPartIsAReadOnlyContainerOfANonRootUser) {
  std::vector<std::string> parts = {"postgres", "gateway"};
  for (const auto& node : platform_->nats_nodes()) parts.push_back(node);
  for (const auto* s : {"auth", "order", "payment", "store", "customer", "rider"})
    for (const auto* k : {"-1", "-2"}) parts.push_back(std::string(s) + k);
  for (const auto& part : parts) {
    EXPECT_EQ(inspect(part, "{{.State.Running}} {{.HostConfig.ReadonlyRootfs}}"), "true true") << part;
    auto uid = podman("exec " + prefix_ + part + " awk '/^Uid:/{print $2}' /proc/1/status");
    EXPECT_EQ(uid, part == "postgres" ? "999" : "10001") << part;
  }
}

TEST_F(Containers, AnOrderIsPaidThroughTheGatewayAndAKilledContainerComesBack) {
  Api customer(platform_->gateway_port());
  customer.login("customer1");
  auto first = place_order(customer);
  EXPECT_TRUE(eventually([&] { return paid(customer, first); })) << "order " << first;

  // The whole container dies at once, as when its machine does; start makes a new one.
  platform_->kill("payment-1");
  EXPECT_EQ(inspect("payment-1", "{{.State.Running}} {{.State.ExitCode}}"), "false 137");
  auto during = place_order(customer);
  platform_->start();
  EXPECT_EQ(inspect("payment-1", "{{.State.Running}}"), "true");
  auto after = place_order(customer);
  for (auto id : {during, after}) EXPECT_TRUE(eventually([&] { return paid(customer, id); })) << "order " << id;
}

}  // namespace
