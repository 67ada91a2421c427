#pragma once
// A platform of the test's own with customer1 and owner1 (store 1) logged in through the
// gateway: where most journeys start. OnEachBus runs a suite's tests once on NATS JetStream
// and once on Kafka (a test broker of the platform's own):
//
//   class SagaOnEachBus : public Saga, public fd::test::OnEachBus {
//     protected: SagaOnEachBus() : Saga(bus_env()) {}
//   };
//   TEST_P(SagaOnEachBus, ...) { ... platform::read_stream(platform.bus_url()) ... }
//   FD_INSTANTIATE_ON_EACH_BUS(SagaOnEachBus);
#include <gtest/gtest.h>

#include <string>

#include "support/api.hpp"
#include "support/platform_fixture.hpp"

namespace fd::test {

class CustomerAndOwner : public ::testing::Test {
 protected:
  explicit CustomerAndOwner(TestPlatform::Env env = {}) : platform(std::move(env)) {}

  TestPlatform platform;
  Api customer{platform.gateway_port()};
  Api owner{platform.gateway_port()};

  void SetUp() override {
    customer.login("customer1");
    owner.login("owner1");
  }
};

// The parameter is FD_BUS: "nats" or "kafka".
class OnEachBus : public ::testing::WithParamInterface<std::string> {
 protected:
  static TestPlatform::Env bus_env() { return {{"FD_BUS", GetParam()}}; }
};

}  // namespace fd::test

// The test's name ends with its bus: Buses/SagaOnEachBus.AnOrderIsPaid/kafka.
#define FD_INSTANTIATE_ON_EACH_BUS(suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(Buses, suite, ::testing::Values(std::string("nats"), std::string("kafka")), \
                           [](const ::testing::TestParamInfo<std::string>& info) { return info.param; })
