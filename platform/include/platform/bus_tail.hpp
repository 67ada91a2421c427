#pragma once
// Every event as it crosses the bus, for streams that show them to users (GET /events/stream):
// one background thread per process, begun by the first call of since(), watch() or
// wait_read_up(), reads the stream from its newest `keep` events on, on either broker, and
// keeps the newest events in memory; whoever watches is woken at each new one. Read from
// outside any consumer group (JetStream: an ordered consumer of the process's own; Kafka: a
// reader that commits nothing), so it takes nothing from the service's own consumer, and each
// replica of a service reads the whole stream.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/messaging.hpp"

namespace platform {

struct TailedEvent {
  int partition = 0;          // Kafka's partition; 0 on JetStream
  std::uint64_t position = 0;  // JetStream's stream sequence, or the offset in its Kafka partition
  std::string type;
  std::string order_id;  // "" for an event of no order
  std::string json;      // the body as published, byte for byte
  boost::json::object body;  // parsed, for BusTail's `seen` only: not kept after it
};

// Where a reader has come to on the bus: the last position taken in each partition. Its text
// is an event stream's id: "42" on JetStream (the stream sequence), "0:17,1:4,2:9" on Kafka
// (partition:offset, every partition read so far), so that a client's Last-Event-ID says
// exactly which events it has, whichever replica it reconnects to.
struct BusCursor {
  std::map<int, std::uint64_t> last;

  bool covers(const TailedEvent& event) const;
  void advance(const TailedEvent& event) { last[event.partition] = event.position; }
  std::string text(bool kafka) const;
  // Problem 400 naming the header when the text is none of the above.
  static BusCursor parse(const std::string& text);
};

class BusTail {
 public:
  // `keep`: how many of the newest events it holds. `seen` runs on its thread for each event
  // before any watcher hears of it (a service learning which customer an order is of).
  BusTail(BusEndpoint bus, std::size_t keep, std::function<void(const TailedEvent&)> seen = {});
  ~BusTail();
  BusTail(const BusTail&) = delete;
  BusTail& operator=(const BusTail&) = delete;

  bool kafka() const { return kafka_; }

  // Waits, at most `limit`, until the tail has taken what the stream held when it began
  // reading (then since() holds all that came before the call, of the newest `keep`), or
  // has found that it cannot read the bus.
  void wait_read_up(std::chrono::milliseconds limit) const;

  // Events are numbered in the order this process read them, from 0; the oldest ones are
  // dropped beyond `keep`. Returns the events from number `from` on (from the oldest kept when
  // that one is gone) and sets `next` to the number after the last one returned.
  std::vector<std::shared_ptr<const TailedEvent>> since(std::uint64_t from, std::uint64_t& next) const;

  // `wake` is called (on the tail's thread) after each new event, until unwatch(the token).
  std::uint64_t watch(std::function<void()> wake);
  void unwatch(std::uint64_t token);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  bool kafka_;
};

}  // namespace platform
