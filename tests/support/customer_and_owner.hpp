#pragma once
// A platform of the test's own with customer1 and owner1 (store 1) logged in through the
// gateway: where most journeys start.
#include <gtest/gtest.h>

#include "support/api.hpp"
#include "support/platform_fixture.hpp"

namespace fd::test {

class CustomerAndOwner : public ::testing::Test {
 protected:
  TestPlatform platform;
  Api customer{platform.gateway_port()};
  Api owner{platform.gateway_port()};

  void SetUp() override {
    customer.login("customer1");
    owner.login("owner1");
  }
};

}  // namespace fd::test
