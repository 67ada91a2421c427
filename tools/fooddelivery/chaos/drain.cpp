// The drain between the kills and the verification: every part up again, then waiting until
// nothing is left to deliver, so that what the verification reads is final.
#include <optional>
#include <thread>

#include "platform/messaging.hpp"
#include "run.hpp"

namespace fd::cli::chaos {

using std::chrono::milliseconds;

// Every service healthy, connected to the bus, with an empty outbox, every durable consumer
// with nothing pending or unacknowledged and bound to its service, and the stream not growing.
bool Run::quiet(std::string& why, platform::StreamMark& last_mark) {
  for (const auto& [service, port] : options_.service_ports) {
    Client client({"127.0.0.1", port}, milliseconds(2000));
    auto reply = client.call("GET", "/health");
    if (reply.status != 200) {
      why = service + " /health → " + std::to_string(reply.status);
      return false;
    }
    auto health = reply.json();
    if (auto pending = int_of(health, "outboxPending"); pending != 0) {
      why = service + " has " + std::to_string(pending) + " events in its outbox";
      return false;
    }
    if (text_of(health, "bus") != "connected") {
      why = service + " is not connected to the bus (" + text_of(health, "broker") + ")";
      return false;
    }
  }
  try {
    for (const auto& durable : kServices) {
      auto state = platform::consumer_state(options_.bus, durable);
      if (!state.exists) {
        why = "consumer " + durable + " does not exist";
        return false;
      }
      // Kafka does not tell whether a group has members (ConsumerState::bound): that each
      // service consumes is its /health above, 200 only once its group assigned its partitions.
      const bool bound = state.bound || options_.bus.kafka();
      if (state.pending != 0 || state.unacknowledged != 0 || !bound) {
        why = "consumer " + durable + ": " + std::to_string(state.pending) + " pending, " +
              std::to_string(state.unacknowledged) + " unacknowledged" + (bound ? "" : ", not bound");
        return false;
      }
    }
    auto mark = platform::stream_mark(options_.bus);
    bool same = mark == last_mark;
    if (!same) why = "the stream grew";
    last_mark = mark;
    return same;
  } catch (const std::exception& error) {
    why = error.what();
    return false;
  }
}

bool Run::drain(std::string& why) {
  auto deadline = Clock::now() + std::chrono::seconds(options_.drain_timeout_s);
  // Everything up again: a start right after the last kill may have failed.
  for (int attempt = 0;; ++attempt) {
    auto started = script_.start();
    if (started.ok()) break;
    if (attempt >= 4 || Clock::now() > deadline) {
      why = "scripts/platform start failed after the kills:\n" + started.output;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  log_("every part is up; draining (unacknowledged deliveries come back after the consumers' AckWait)");
  platform::StreamMark last_mark;
  int quiet_checks = 0;
  std::string reason, last_reason;
  auto last_report = Clock::now();
  std::optional<Clock::time_point> quiet_since;
  while (Clock::now() < deadline) {
    bool is_quiet = quiet(reason, last_mark);
    quiet_checks = is_quiet ? quiet_checks + 1 : 0;
    if (!is_quiet) quiet_since.reset();
    else if (!quiet_since) quiet_since = Clock::now();
    if (quiet_checks >= 3) {
      if (owner_pending_ == 0) return true;
      // Nothing moves any more, yet some orders never reached their owner's list: give the
      // owner a last look (a REQUESTED one makes the bus move again), then stop waiting.
      reason = std::to_string(owner_pending_.load()) + " orders to reject or accept never reached their owner's list";
      if (Clock::now() - *quiet_since > std::chrono::seconds(5)) {
        owner_abort_ = true;
        log_("draining: %s; giving up on them", reason.c_str());
        return true;
      }
    }
    if (Clock::now() - last_report > std::chrono::seconds(5) && reason != last_reason) {
      log_("draining: %s", reason.c_str());
      last_reason = reason;
      last_report = Clock::now();
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
  owner_abort_ = true;
  why = "not drained after " + std::to_string(options_.drain_timeout_s) + " s: " + reason;
  return false;
}

}  // namespace fd::cli::chaos
