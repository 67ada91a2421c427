#pragma once
// A circuit breaker for synchronous calls (C5): closed → open when the failure or slow-call
// rate over a sliding window of recent calls passes its threshold → half-open after a wait,
// letting a few probes through → closed when they succeed, open again when one fails.
// Time is passed in, so the state machine is tested without sleeping. Thread-safe.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace platform {

struct BreakerOptions {
  std::size_t window = 20;     // the last N calls
  std::size_t min_calls = 10;  // no verdict on fewer calls than this
  double failure_rate = 0.5;   // open when this share of the window failed...
  double slow_rate = 0.5;      // ...or was slower than slow_call
  std::chrono::milliseconds slow_call{600};
  std::chrono::milliseconds open_wait{5000};  // how long calls fail fast before probing
  std::size_t probes = 3;                     // calls let through while half-open
};

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { Closed, Open, HalfOpen };

  struct Counts {
    std::uint64_t calls = 0;
    std::uint64_t failures = 0;
    std::uint64_t slow = 0;
    std::uint64_t rejected = 0;  // failed fast while open
    std::uint64_t opened = 0;    // times it opened
  };

  CircuitBreaker(std::string name, BreakerOptions options) : name_(std::move(name)), options_(options) {}

  // Whether a call may go ahead now; counts a rejection when not.
  bool allow(Clock::time_point now = Clock::now());
  // The outcome of a call that allow() let through.
  void record(bool success, std::chrono::milliseconds duration, Clock::time_point now = Clock::now());

  State state(Clock::time_point now = Clock::now());
  Counts counts() const;
  const std::string& name() const { return name_; }
  const BreakerOptions& options() const { return options_; }

 private:
  struct Outcome {
    bool failed;
    bool slow;
  };
  void open(Clock::time_point now);
  void close();
  void advance(Clock::time_point now);

  std::string name_;
  BreakerOptions options_;
  mutable std::mutex mutex_;
  State state_ = State::Closed;
  std::deque<Outcome> window_;
  Clock::time_point opened_at_{};
  std::size_t probes_started_ = 0;
  std::size_t probes_succeeded_ = 0;
  Counts counts_;
};

const char* to_string(CircuitBreaker::State state);

}  // namespace platform
