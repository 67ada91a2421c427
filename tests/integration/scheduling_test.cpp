// The Linux scheduling class of every process of the platform (FD_SCHED_POLICY): batch by
// default, so that a woken thread does not preempt the running one (platform/src/service_host.cpp
// says why). The services enter it themselves, scripts/platform starts nats-server and nginx
// in it; normal puts them all in the normal class; anything else is refused.
#include <gtest/gtest.h>
#include <sched.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/process.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::TestPlatform;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every process of a part: its leader (<run>/<part>.pid) and the processes it started
// (nginx's workers).
std::vector<int> processes_of(const TestPlatform& platform, const std::string& part) {
  int leader = 0;
  std::ifstream(platform.run_dir() + "/" + part + ".pid") >> leader;
  std::vector<int> pids{leader};
  std::ifstream children("/proc/" + std::to_string(leader) + "/task/" + std::to_string(leader) + "/children");
  for (int child; children >> child;) pids.push_back(child);
  return pids;
}

// "<part> <pid>/<tid> (<thread name>)" of each thread of the part not in `policy`.
std::vector<std::string> threads_not_in(const TestPlatform& platform, const std::string& part, int policy) {
  std::vector<std::string> outside;
  for (int pid : processes_of(platform, part)) {
    const auto tasks = "/proc/" + std::to_string(pid) + "/task";
    if (!std::filesystem::exists(tasks)) {
      outside.push_back(part + " " + std::to_string(pid) + " (no such process)");
      continue;
    }
    for (const auto& task : std::filesystem::directory_iterator(tasks)) {
      int tid = std::stoi(task.path().filename().string());
      if (sched_getscheduler(tid) == policy) continue;
      std::string name;
      std::getline(std::ifstream(task.path() / "comm"), name);
      outside.push_back(part + " " + std::to_string(pid) + "/" + std::to_string(tid) + " (" + name + ")");
    }
  }
  return outside;
}

const std::vector<std::string> kParts = {"nats", "gateway", "auth", "order", "payment", "store", "customer", "rider"};

// Once an order went through, so that the threads a service starts on demand run too.
void place_an_order(const TestPlatform& platform) {
  fd::test::Api customer(platform.gateway_port());
  customer.login("customer1");
  auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
  ASSERT_EQ(placed.status, 201) << placed.raw;
}

TEST(Scheduling, EveryThreadOfThePlatformRunsInTheBatchClassByDefault) {
  TestPlatform platform;
  place_an_order(platform);
  for (const auto& part : kParts) {
    auto outside = threads_not_in(platform, part, SCHED_BATCH);
    EXPECT_TRUE(outside.empty()) << outside.size() << " threads not in SCHED_BATCH, the first: " << outside.front();
  }
}

TEST(Scheduling, NormalPutsEveryThreadInTheNormalClass) {
  TestPlatform platform({{"FD_SCHED_POLICY", "normal"}});
  place_an_order(platform);
  for (const auto& part : kParts) {
    auto outside = threads_not_in(platform, part, SCHED_OTHER);
    EXPECT_TRUE(outside.empty()) << outside.size() << " threads not in SCHED_OTHER, the first: " << outside.front();
  }
}

TEST(Scheduling, AnUnknownClassIsRefusedByTheScriptAndByAService) {
  const auto folder = fd::test::make_temp_dir("fd-scheduling-");
  std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FD_SCHED_POLICY=fifo",
                               "FD_DATA_DIR=" + folder + "/data", "FD_RUN_DIR=" + folder + "/run",
                               "FD_BUILD_DIR=" + std::string(FD_BUILD_DIR)};
  auto started = platform::run_process({"bash", std::string(FD_SOURCE_DIR) + "/scripts/platform", "start"}, &env);
  EXPECT_NE(started.status, 0) << started.output;
  EXPECT_TRUE(contains(started.output, "FD_SCHED_POLICY must be batch or normal, not 'fifo'")) << started.output;
  EXPECT_FALSE(std::filesystem::exists(folder + "/run/nats.pid")) << "nothing starts";

  env.push_back("FD_JWT_SECRET=a-secret-of-thirty-two-characters!");
  auto service = platform::run_process({std::string(FD_BUILD_DIR) + "/bin/fd-order"}, &env);
  EXPECT_EQ(service.status, 1) << service.output;
  EXPECT_TRUE(contains(service.output, "FD_SCHED_POLICY must be batch or normal, not 'fifo'")) << service.output;
  std::filesystem::remove_all(folder);
}

}  // namespace
