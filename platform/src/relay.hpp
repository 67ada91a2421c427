#pragma once
// The outbox relay: publishes committed events in outbox order through the Bus, and
// deletes them once the broker has acknowledged them. Of a service's replicas, the one
// leading "events" relays, and is the one that takes the consumer's deliveries.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "platform/bus.hpp"
#include "platform/db.hpp"
#include "platform/leadership.hpp"
#include "platform/messaging.hpp"

namespace platform {

class Relay {
 public:
  // Uses relay_poll, and stream for the logs.
  Relay(Db& db, Bus& bus, const MessagingOptions& options);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Wakes the relay; harmless from any thread, and after the relay is gone.
  std::function<void()> waker() const;
  // Runs the relay's thread, woken by every commit but its own, and every relay_poll.
  // The thread also sets up the bus (Bus::ensure_ready).
  void start();
  // Whether this process leads the service's events now; before start() only (then the
  // relay's thread asks).
  bool leads() { return leadership_.leads(); }
  void stop();

 private:
  struct Wake;
  enum class Result { Idle, NotConnected, Failed };

  void run();
  Result relay_once();

  Db& db_;
  Bus& bus_;
  std::chrono::milliseconds poll_;
  std::string stream_;
  std::shared_ptr<Wake> wake_;
  std::thread thread_;
  Leadership leadership_;  // the relay thread's
  bool outage_logged_ = false;
};

}  // namespace platform
