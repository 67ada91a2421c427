#pragma once
// The outbox relay: publishes committed events in outbox order through the Bus, and
// deletes them once the broker has acknowledged them, a batch at a time. Of a service's
// replicas, the one leading "events" relays, and is the one that takes the consumer's
// deliveries.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "platform/bus.hpp"
#include "platform/commit_mark.hpp"
#include "platform/db.hpp"
#include "platform/leadership.hpp"
#include "platform/messaging.hpp"

namespace platform {

// Set by append_events (outbox.cpp): the relay wakes for the commits that appended events.
using OutboxAppended = CommitMark<struct OutboxAppendedKind>;

class Relay {
 public:
  // Uses relay_poll, and stream for the logs.
  Relay(Db& db, Bus& bus, const MessagingOptions& options);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Wakes the relay; harmless from any thread, and after the relay is gone.
  std::function<void()> waker() const;
  // Runs the relay's thread, woken by each commit that appended events, and every relay_poll
  // (for what another replica commits).
  // The thread also sets up the bus (Bus::ensure_ready).
  void start();
  // Whether this process leads the service's events now; before start() only (then the
  // relay's thread asks).
  bool leads() { return leadership_.leads(); }
  // Outbox rows the broker has acknowledged that are not deleted yet.
  std::size_t published_undeleted() const { return undeleted_.load(); }
  void stop();

 private:
  struct Wake;
  enum class Result { Idle, NotConnected, Failed };

  using Clock = std::chrono::steady_clock;

  void run();
  Result relay_once();
  void delete_published();

  Db& db_;
  Bus& bus_;
  std::chrono::milliseconds poll_;
  std::string stream_;
  std::shared_ptr<Wake> wake_;
  std::thread thread_;
  Leadership leadership_;  // the relay thread's
  bool outage_logged_ = false;
  // The relay thread's: seqs acknowledged by the broker, deleted together by delete_due_.
  std::set<std::int64_t> published_;
  // The highest seq published: on a database that commits in key order every row above it is
  // unpublished, and none below it is (commits_in_key_order).
  std::int64_t last_published_ = 0;
  Clock::time_point delete_due_{};
  std::atomic<std::size_t> undeleted_{0};
};

}  // namespace platform
