#pragma once
// What the messaging needs from a broker, so that the outbox relay and the inbox consumer
// stay the same whichever broker carries the events (JetStream, or Kafka: FD_BUS_URL).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform {

// One outbox row on its way out.
struct OutgoingMessage {
  std::string id;  // unique per event: the broker drops a second copy with the same id
  std::string type;
  std::string body;
  std::string order_id;  // "" when it concerns no order; Kafka's record key
  std::string traceparent;  // the trace of the work that wrote it, as the header `traceparent`; "" for none
};

struct PublishResult {
  std::size_t acknowledged = 0;  // leading messages the broker has stored
  std::string error;             // why the next one was not, when one was not
};

// The one durable consumer of a service.
struct ConsumerSpec {
  std::string durable;          // survives restarts: where the service left off
  std::set<std::string> types;  // the event types it reacts to
};

struct Delivery {
  std::string id;  // the publisher's id; a broker-given one when it had none
  // The event type of the subject it came on ("" for a subject outside the stream's prefix):
  // the broker lets only that type's producer publish there (bus_access.hpp), so this is the
  // type that counts. A consumer refuses an event that says it is another (consumer.cpp).
  // Kafka has no such subjects: there it is the `type` header.
  std::string type;
  std::string header_type;    // its `type` header, "" when it has none
  std::string_view body;      // valid while the handler runs
  std::uint64_t attempt = 1;  // 1 on the first delivery
  // Every header as the bus gives it (JetStream: Nats-Msg-Id, type; Kafka: event-id, type;
  // traceparent on both when the event was written within a trace), kept with a dead letter.
  std::vector<std::pair<std::string, std::string>> headers;
  // Kafka's partition: a nak sends the partition back to that record, so the deliveries after
  // it in the partition are left unapplied and come again after it, in order (consume()).
  // None on JetStream, where a nak'ed message alone is delivered again.
  std::optional<std::int32_t> partition;
};

// How the handler settles a delivery. An event given up on is acknowledged once it is in the
// service's dead letters (consumer.cpp): the broker never drops one on its own.
struct Verdict {
  enum class Kind { Ack, Nak };
  Kind kind = Kind::Ack;
  std::chrono::milliseconds delay{0};  // Nak: delivered again no sooner than this

  static Verdict ack() { return {Kind::Ack, {}}; }
  static Verdict nak(std::chrono::milliseconds delay) { return {Kind::Nak, delay}; }
};

// Takes the deliveries that had arrived when it was called, in the stream's order, and
// returns a verdict for each, in the same order.
using DeliveryHandler = std::function<std::vector<Verdict>(std::span<const Delivery>)>;

// At most this many deliveries go to the handler at once: a batch is one transaction, which
// holds the service's one writer that long.
inline constexpr std::size_t kMaxDeliveryBatch = 64;

class Bus {
 public:
  virtual ~Bus() = default;

  // Before connect(). Deliveries reach the handler in batches, one batch at a time, on a
  // thread of the bus, until close() returns. Throws when the broker cannot take that durable
  // name.
  virtual void subscribe(ConsumerSpec consumer, DeliveryHandler handler) = 0;

  // Returns without waiting for the broker, so a service starts while it is away: the bus
  // keeps trying and calls `reachable` (on a thread of its own) whenever it connects again.
  // When the broker is there already, the consumer is set up before connect() returns.
  // Throws only for what retrying cannot mend.
  virtual void connect(std::function<void()> reachable) = 0;
  virtual bool connected() const = 0;
  // Which broker it speaks to, as /health names it: "jetstream" or "kafka".
  virtual const char* broker() const = 0;
  // Whether the consumer takes deliveries yet (true when this process does not consume).
  // JetStream binds it within connect(); a Kafka group assigns a member its partitions a few
  // seconds after it joins (the broker's initial rebalance delay, or a killed member's session
  // running out), and a service is not ready before: a new order would wait unseen.
  virtual bool consumer_ready() const { return true; }

  // Creates what publishing and consuming need and is missing, and every so often checks
  // that what was created still exists. Called while connected, from one thread only.
  // Returns whether events can be published: a consumer that cannot be set up does not
  // stop publishing.
  virtual bool ensure_ready() = 0;

  // Whether this process takes the consumer's deliveries (from the next ensure_ready on).
  // Of a service's replicas only the one leading does, so that the service applies the
  // events in the stream's order as one process would; the others stand by to take over.
  // Called from the thread that calls ensure_ready.
  virtual void consume(bool take) = 0;

  // Publishes in order and waits for the broker's acknowledgements. A message after the
  // acknowledged ones may have been stored too: published again, it is dropped by its id
  // (by JetStream itself; over Kafka, by the consumers' inbox).
  virtual PublishResult publish(const std::vector<OutgoingMessage>& batch) = 0;
  // Whether an event published again under its id a while later is stored once: JetStream
  // drops the copy within its duplicate window (FD_STREAM_DUPLICATE_WINDOW, 30 s); Kafka
  // stores every copy.
  virtual bool drops_republished() const = 0;

  // Lets deliveries in hand finish, then disconnects. Idempotent.
  virtual void close() = 0;
};

}  // namespace platform
