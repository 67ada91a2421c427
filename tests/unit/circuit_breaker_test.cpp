#include "platform/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace {

using platform::BreakerOptions;
using platform::CircuitBreaker;
using State = CircuitBreaker::State;
using namespace std::chrono_literals;

BreakerOptions small() {
  BreakerOptions options;
  options.window = 10;
  options.min_calls = 4;
  options.failure_rate = 0.5;
  options.slow_rate = 0.5;
  options.slow_call = 600ms;
  options.open_wait = 5s;
  options.probes = 2;
  return options;
}

TEST(CircuitBreaker, StaysClosedWhileCallsSucceed) {
  CircuitBreaker breaker("payment", small());
  auto t = CircuitBreaker::Clock::now();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(breaker.allow(t));
    breaker.record(true, 5ms, t);
  }
  EXPECT_EQ(breaker.state(t), State::Closed);
}

TEST(CircuitBreaker, OpensOnTheFailureRateAndFailsFast) {
  CircuitBreaker breaker("payment", small());
  auto t = CircuitBreaker::Clock::now();
  breaker.record(true, 5ms, t);
  breaker.record(false, 5ms, t);
  breaker.record(true, 5ms, t);
  EXPECT_EQ(breaker.state(t), State::Closed);  // too few calls for a verdict
  breaker.record(false, 5ms, t);
  EXPECT_EQ(breaker.state(t), State::Open);
  EXPECT_FALSE(breaker.allow(t + 1s));
  EXPECT_EQ(breaker.counts().rejected, 1u);
  EXPECT_EQ(breaker.counts().opened, 1u);
}

TEST(CircuitBreaker, OpensOnSlowCallsEvenWhenTheySucceed) {
  CircuitBreaker breaker("payment", small());
  auto t = CircuitBreaker::Clock::now();
  for (int i = 0; i < 4; ++i) breaker.record(true, 700ms, t);
  EXPECT_EQ(breaker.state(t), State::Open);
  EXPECT_EQ(breaker.counts().slow, 4u);
}

TEST(CircuitBreaker, HalfOpenProbesCloseItWhenTheySucceed) {
  CircuitBreaker breaker("payment", small());
  auto t = CircuitBreaker::Clock::now();
  for (int i = 0; i < 4; ++i) breaker.record(false, 5ms, t);
  ASSERT_EQ(breaker.state(t), State::Open);
  auto later = t + 5s;
  EXPECT_EQ(breaker.state(later), State::HalfOpen);
  EXPECT_TRUE(breaker.allow(later));
  EXPECT_TRUE(breaker.allow(later));
  EXPECT_FALSE(breaker.allow(later));  // only the probes go through
  breaker.record(true, 5ms, later);
  EXPECT_EQ(breaker.state(later), State::HalfOpen);
  breaker.record(true, 5ms, later);
  EXPECT_EQ(breaker.state(later), State::Closed);
  EXPECT_TRUE(breaker.allow(later));
}

TEST(CircuitBreaker, AFailedProbeOpensItAgain) {
  CircuitBreaker breaker("payment", small());
  auto t = CircuitBreaker::Clock::now();
  for (int i = 0; i < 4; ++i) breaker.record(false, 5ms, t);
  auto later = t + 6s;
  ASSERT_TRUE(breaker.allow(later));
  breaker.record(false, 5ms, later);
  EXPECT_EQ(breaker.state(later), State::Open);
  EXPECT_FALSE(breaker.allow(later + 1s));
  EXPECT_EQ(breaker.state(later + 5s), State::HalfOpen);
  EXPECT_EQ(breaker.counts().opened, 2u);
}

}  // namespace
