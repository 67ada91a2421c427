#include "platform/circuit_breaker.hpp"

namespace platform {

const char* to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::Closed: return "CLOSED";
    case CircuitBreaker::State::Open: return "OPEN";
    case CircuitBreaker::State::HalfOpen: return "HALF_OPEN";
  }
  return "UNKNOWN";
}

void CircuitBreaker::advance(Clock::time_point now) {
  if (state_ == State::Open && now - opened_at_ >= options_.open_wait) {
    state_ = State::HalfOpen;
    probes_started_ = 0;
    probes_succeeded_ = 0;
  }
}

void CircuitBreaker::open(Clock::time_point now) {
  state_ = State::Open;
  opened_at_ = now;
  window_.clear();
  ++counts_.opened;
}

void CircuitBreaker::close() {
  state_ = State::Closed;
  window_.clear();
}

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  advance(now);
  switch (state_) {
    case State::Closed: return true;
    case State::HalfOpen:
      if (probes_started_ < options_.probes) {
        ++probes_started_;
        return true;
      }
      break;
    case State::Open: break;
  }
  ++counts_.rejected;
  return false;
}

void CircuitBreaker::record(bool success, std::chrono::milliseconds duration, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  bool slow = duration >= options_.slow_call;
  ++counts_.calls;
  if (!success) ++counts_.failures;
  if (slow) ++counts_.slow;
  advance(now);
  switch (state_) {
    case State::HalfOpen:
      if (!success || slow) {
        open(now);
      } else if (++probes_succeeded_ >= options_.probes) {
        close();
      }
      return;
    case State::Open: return;  // a call let through before it opened: its verdict is already in
    case State::Closed: break;
  }
  window_.push_back({!success, slow});
  if (window_.size() > options_.window) window_.pop_front();
  if (window_.size() < options_.min_calls) return;
  std::size_t failed = 0, slow_calls = 0;
  for (const auto& outcome : window_) {
    failed += outcome.failed;
    slow_calls += outcome.slow;
  }
  auto size = static_cast<double>(window_.size());
  if (static_cast<double>(failed) / size >= options_.failure_rate ||
      static_cast<double>(slow_calls) / size >= options_.slow_rate)
    open(now);
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  advance(now);
  return state_;
}

CircuitBreaker::Counts CircuitBreaker::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace platform
