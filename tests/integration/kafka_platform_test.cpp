// scripts/platform with FD_BUS=kafka: the Kafka test broker (the part kafka) takes the NATS
// parts' place and every service reaches it; a broker started again is a new, empty one on
// new ports, so the services that run are restarted to reach it; a Kafka cluster of one's
// own (FD_BUS_URL) is used as is; and what cannot go together is refused before anything
// starts. The saga's suites themselves run on Kafka as Buses/<suite>/kafka.
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "platform/process.hpp"
#include "support/api.hpp"
#include "support/kafka_broker.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::read_file;

using fd::test::Api;
using fd::test::eventually;
using fd::test::TestPlatform;

const std::vector<std::string> kServices = {"auth", "order", "payment", "store", "customer", "rider"};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }


// Places an order as customer1 and says whether it reached owner1's list (two event hops).
bool order_reaches_the_owner(const TestPlatform& platform) {
  Api customer(platform.gateway_port()), owner(platform.gateway_port());
  customer.login("customer1");
  owner.login("owner1");
  auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
  if (placed.status != 201) {
    ADD_FAILURE() << placed.raw;
    return false;
  }
  auto target = "/foodCookings/" + std::to_string(placed.body.at("orderId").as_int64());
  return eventually([&] { return owner.get(target).status == 200; });
}

// scripts/platform <args...> with only these variables (and a PATH).
platform::ProcessResult platform_script(std::vector<std::string> args, const TestPlatform::Env& vars) {
  args.insert(args.begin(), {"bash", std::string(FD_SOURCE_DIR) + "/scripts/platform"});
  std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  return platform::run_process(args, &env);
}

// The shared libraries a service's process has mapped (/proc/<pid>/maps).
std::string mapped_libraries(const TestPlatform& platform, const std::string& service) {
  int pid = 0;
  std::ifstream(platform.run_dir() + "/" + service + ".pid") >> pid;
  return read_file("/proc/" + std::to_string(pid) + "/maps");
}

std::string health(const TestPlatform& platform, const std::string& service) {
  platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(platform.port(service)));
  return client.send("GET", "/health").body;
}

TEST(KafkaPlatform, TheTestBrokerTakesTheNatsPartsPlaceAndEveryServiceReachesIt) {
  TestPlatform platform({{"FD_BUS", "kafka"}});
  // Started means consuming: a service is healthy only once its group gave it its partitions,
  // so that the first order does not wait seconds unseen after make up returns.
  for (const auto& service : kServices)
    EXPECT_TRUE(contains(platform.log(service), "Kafka partitions assigned")) << service << ":\n" << platform.log(service);
  std::string status;
  ASSERT_EQ(platform.run_script("status", "", &status), 0) << status;
  EXPECT_TRUE(contains(status, "kafka       running")) << status;
  EXPECT_FALSE(contains(status, "nats")) << status;
  EXPECT_TRUE(contains(read_file(platform.run_dir() + "/profile"), "bus=kafka\n"));
  EXPECT_FALSE(std::filesystem::exists(platform.data_dir() + "/nats.secrets")) << "no NATS, no NATS passwords";
  for (const auto& service : kServices)
    EXPECT_TRUE(eventually([&] { return contains(health(platform, service), R"("bus":"connected","broker":"kafka")"); }))
        << service << ": " << health(platform, service);

  // A tool run as a bus identity is pointed at the broker.
  auto ran = platform_script({"run", "viewer", "--", "printenv", "FD_BUS_URL"}, platform.env());
  EXPECT_EQ(ran.status, 0) << ran.output;
  EXPECT_EQ(ran.output, platform.bus_url() + "\n");

  EXPECT_TRUE(order_reaches_the_owner(platform));
  for (const auto& service : kServices)  // loaded when the bus was made (platform/src/rdkafka_loader.cpp)
    EXPECT_TRUE(contains(mapped_libraries(platform, service), "/librdkafka.so.1")) << service;

  // In the platform's scheduling class, as nats-server would be (FD_SCHED_POLICY).
  int broker = 0;
  std::ifstream(platform.run_dir() + "/kafka.pid") >> broker;
  EXPECT_EQ(sched_getscheduler(broker), SCHED_BATCH) << "the test broker, pid " << broker;
}

// librdkafka (with SASL, zstd, lz4 and zlib) and libpq (with Kerberos, LDAP and GnuTLS) are
// loaded only by the profiles that use them: on the embedded one, no service maps either,
// also once an order went through every service.
TEST(KafkaPlatform, OnTheEmbeddedProfileNoServiceLoadsLibrdkafkaNorLibpq) {
  TestPlatform platform;
  EXPECT_TRUE(order_reaches_the_owner(platform));
  for (const auto& service : kServices) {
    auto maps = mapped_libraries(platform, service);
    EXPECT_TRUE(contains(maps, "/libnats.so")) << service << " (the list read is not its process's)";
    EXPECT_FALSE(contains(maps, "/librdkafka.so")) << service;
    EXPECT_FALSE(contains(maps, "/libpq.so")) << service;
  }
}

TEST(KafkaPlatform, ABrokerStartedAgainIsANewOneAndTheServicesAreRestartedToReachIt) {
  TestPlatform platform({{"FD_BUS", "kafka"}});
  auto first = platform.bus_url();
  platform.kill("kafka");
  std::string output;
  ASSERT_EQ(platform.run_script("start", "", &output), 0) << output;
  EXPECT_TRUE(contains(output, "order: restarting it, for the new Kafka test broker")) << output;
  EXPECT_NE(platform.bus_url(), first) << "the mock picks new ports";
  EXPECT_TRUE(order_reaches_the_owner(platform));
}

TEST(KafkaPlatform, AKafkaClusterOfOnesOwnIsUsedAsIsWithNoKafkaPart) {
  fd::test::KafkaBroker own;
  TestPlatform platform({{"FD_BUS", "kafka"}, {"FD_BUS_URL", own.url()}});
  EXPECT_EQ(platform.bus_url(), own.url());
  // Also when asked without FD_BUS_URL (as make status is): the start recorded it.
  std::string status;
  ASSERT_EQ(platform.run_script("status", "", &status, {{"FD_BUS_URL", ""}}), 0) << status;
  EXPECT_FALSE(contains(status, "kafka")) << status;
  EXPECT_FALSE(std::filesystem::exists(platform.run_dir() + "/kafka.bootstrap"));
  EXPECT_TRUE(order_reaches_the_owner(platform));
}

// Each refused with exit status 2 and why, before anything starts.
TEST(KafkaPlatform, WhatCannotGoTogetherIsRefusedBeforeAnythingStarts) {
  char folder[] = "/tmp/fd-kafka-refused-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  struct Case {
    TestPlatform::Env env;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{{"FD_BUS", "pigeon"}}, "FD_BUS must be nats (JetStream) or kafka"},
      {{{"FD_BUS_URL", "kafka://127.0.0.1:9092"}}, "set FD_BUS=kafka with it"},
      {{{"FD_BUS", "kafka"}, {"FD_CONTAINERS", "1"}}, "there is no image of it"},
      {{{"FD_BUS", "kafka"}, {"FD_KAFKA_PARTITIONS", "0"}}, "FD_KAFKA_PARTITIONS must be a whole number"},
  };
  for (const auto& c : cases) {
    auto env = c.env;
    env["FD_RUN_DIR"] = std::string(folder) + "/run";
    env["FD_DATA_DIR"] = std::string(folder) + "/data";
    env["FD_BUILD_DIR"] = FD_BUILD_DIR;
    auto ran = platform_script({"start"}, env);
    EXPECT_NE(ran.status, 0) << c.says;
    EXPECT_TRUE(contains(ran.output, c.says)) << ran.output;
    EXPECT_FALSE(contains(ran.output, "starting ")) << ran.output;
  }
  std::filesystem::remove_all(folder);
}

TEST(KafkaPlatform, AnotherBusIsRefusedWhileOneRuns) {
  TestPlatform platform({{"FD_BUS", "kafka"}}, std::vector<std::string>{"kafka"});
  std::string output;
  EXPECT_EQ(platform.run_script("start", "", &output, {{"FD_BUS", "nats"}}), 2) << output;
  EXPECT_TRUE(contains(output, "stop it first")) << output;
}

}  // namespace
