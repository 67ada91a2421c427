#pragma once
// The bus: a transactional outbox relayed to JetStream, and one durable consumer per
// service whose effects are de-duplicated by an inbox kept in the same transaction.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "platform/config.hpp"
#include "platform/db.hpp"
#include "platform/event.hpp"

namespace platform {

// Where NATS is and as whom to connect: FD_NATS_URL, FD_NATS_USER and FD_NATS_PASSWORD (the
// bus's identities and what each may do: bus_access.hpp). FD_NATS_URL is one server's URL or
// the comma-separated URLs of a cluster's nodes (nats://127.0.0.1:4222,nats://127.0.0.1:4322):
// a connection goes to any of them, and to another when its node dies. A URL may carry a user
// and password of its own (nats://admin:<password>@127.0.0.1:4222, as the tests' admin URL
// does), when the password needs no escaping; a user given apart wins over it. Logs show
// where(), never the password.
struct NatsEndpoint {
  std::string url = "nats://127.0.0.1:4222";
  std::string user;
  std::string password;

  NatsEndpoint() = default;
  NatsEndpoint(std::string url_) : url(std::move(url_)) {}  // a URL alone names an endpoint
  NatsEndpoint(const char* url_) : url(url_) {}
  NatsEndpoint(std::string url_, std::string user_, std::string password_)
      : url(std::move(url_)), user(std::move(user_)), password(std::move(password_)) {}
  // A service's FD_NATS_URL, FD_NATS_USER and FD_NATS_PASSWORD.
  static NatsEndpoint from(const Config& config);

  // The identity it connects as: the user, else the (first) URL's; "" when anonymous.
  std::string identity() const;
  // The URLs without a password, with the identity: "nats://order@127.0.0.1:4222" (a list:
  // each URL so, comma-separated).
  std::string where() const;
};

struct MessagingOptions {
  // Which broker carries the events (FD_BUS_URL): "" for JetStream at `nats`, or
  // kafka://host:port[,host:port...] for Kafka's bootstrap brokers, `stream` being the topic
  // (platform/src/kafka_bus.hpp). Anything else is refused.
  std::string bus_url;
  NatsEndpoint nats;
  std::string stream = "fooddelivery";
  std::string subject_prefix = "fooddelivery.";
  // The consuming service's name: its durable consumer, delivering to deliver_subject()
  // (bus_access.hpp).
  std::string durable;
  // A fallback when no commit wakes the relay; with replicas, also how soon the events
  // committed by a replica that does not lead the relay are published (FD_RELAY_POLL_MS).
  std::chrono::milliseconds relay_poll{200};
  // How many nodes keep a copy of the stream (FD_NATS_STREAM_REPLICAS): 1 on a single server,
  // 3 on the cluster profile's three nodes. The consumers have as many (they inherit it).
  int stream_replicas = 1;
  // Kafka: how long a fetch may wait for records (FD_KAFKA_FETCH_WAIT_MS, librdkafka's
  // fetch.wait.max.ms). A Kafka broker answers as soon as a record arrives; the test broker
  // (librdkafka's mock) always waits this long when it has none, so each event hop takes up
  // to it there: scripts/platform gives its services a short one.
  std::chrono::milliseconds kafka_fetch_wait{500};
  // How many times an event is delivered before the consumer gives up on it and moves it to
  // its dead letters (FD_MAX_DELIVER): each failed delivery is retried after a backoff
  // (consumer.cpp), and 10 gives an event that came too early ~11 s to become applicable, and
  // a failing reaction ~2 min (a database failover). An event refused for good (malformed,
  // forged, not matching its contract) goes there at once.
  std::uint64_t max_deliver = 10;
  // JetStream keeps an event this long (FD_STREAM_MAX_AGE, seconds) and the stream at most this
  // big (FD_STREAM_MAX_BYTES), dropping the oldest first; an existing stream is brought to
  // these at start. A consumer away for longer misses what was dropped, and a read model's
  // rebuild (forget_consumer) sees only what is left. Never shorter than min_stream_max_age().
  std::chrono::seconds stream_max_age = std::chrono::hours(24 * 7);
  std::int64_t stream_max_bytes = std::int64_t{1} << 30;
  // How long JetStream remembers a published event's id to store a copy published again once
  // (FD_STREAM_DUPLICATE_WINDOW, seconds; an existing stream is brought to it at start). The
  // relay publishes again what got no acknowledgement within 5 s, and a restarted process what
  // it had not deleted yet (100 ms of events): 30 s covers both, and a NATS node's failover. A
  // copy later than that is stored, and dropped by each consumer's inbox. JetStream keeps
  // every id of the window in its memory: under 2 minutes (the server's default), after a
  // burst of orders its collector ran most of the time under its soft limit (bench/README.md,
  // "The duplicate window").
  std::chrono::milliseconds stream_duplicate_window = std::chrono::seconds(30);

  // The shortest max age that loses nothing: JetStream drops a republished copy only within
  // its duplicate window, and an event being redelivered must still be in the stream at its
  // last delivery (max_deliver backoffs of up to 30 s plus the ack wait, 5 s).
  std::chrono::seconds min_stream_max_age() const;
};

// Creates the outbox and inbox tables.
void migrate_messaging(Db& db);

// Looking at the bus from outside (the chaos checker, `fooddelivery events`, a read model's
// rebuild, tests): what the stream holds and how far each service's consumer has come, on
// either broker. Each call opens a connection of its own; on JetStream as the endpoint's
// identity: `viewer` may do each but forget_consumer, which a service may do to its own
// consumer.
//
// Which bus to look at: a FD_BUS_URL (kafka://host:port[,...]) or, as a URL alone, a NATS
// endpoint, so that read_stream("kafka://127.0.0.1:9092") and read_stream(nats_url) both say
// what they mean. `stream` is the JetStream stream, or the Kafka topic.
struct BusEndpoint {
  std::string bus_url;  // "" for JetStream at `nats`, else kafka://...
  NatsEndpoint nats;
  std::string stream = "fooddelivery";

  BusEndpoint() = default;
  BusEndpoint(NatsEndpoint nats_) : nats(std::move(nats_)) {}
  BusEndpoint(std::string url);  // kafka://... names Kafka's brokers, anything else a NATS URL
  BusEndpoint(const char* url) : BusEndpoint(std::string(url)) {}
  BusEndpoint(std::string bus_url_, NatsEndpoint nats_) : bus_url(std::move(bus_url_)), nats(std::move(nats_)) {}
  // A service's or a tool's FD_BUS_URL, and its NATS endpoint for when that is empty.
  static BusEndpoint from(const Config& config);

  bool kafka() const { return !bus_url.empty(); }
  // For messages: "kafka://127.0.0.1:9092" or the NATS endpoint's where().
  std::string where() const;
};

struct StoredEvent {
  int partition = 0;      // Kafka's partition; 0 on JetStream
  std::uint64_t seq = 0;  // JetStream's stream sequence, or the offset in its Kafka partition
  std::string type;       // header `type`
  std::string id;         // Nats-Msg-Id, or Kafka's header event-id
  std::string traceparent;  // header `traceparent` (trace.hpp), "" when it has none
  boost::json::object body;
};
// Every event the stream holds now, in order: on Kafka, partition by partition (events of
// one order share a partition, so each order's events are in order).
std::vector<StoredEvent> read_stream(const BusEndpoint& bus);

// How far the stream has come: the last position taken in each partition (JetStream: one
// partition, its last sequence, 0 when empty; Kafka: the last offset, -1 when empty). Two
// marks are equal when nothing was stored in between.
struct StreamMark {
  std::map<int, std::int64_t> last;

  // Whether the event was stored by the time of the mark (false: it came after).
  bool includes(const StoredEvent& event) const;
  bool operator==(const StreamMark&) const = default;
};
StreamMark stream_mark(const BusEndpoint& bus);

// One record of a Kafka topic, as published.
struct KafkaRecord {
  int partition = 0;
  std::uint64_t offset = 0;
  std::string type;   // header `type`
  std::string id;     // header `event-id`
  std::string value;  // the event's JSON, byte for byte
  std::int64_t timestamp_ms = 0;  // when the producer made it (epoch ms), 0 when the record has none
  std::vector<std::pair<std::string, std::string>> headers;  // every header, in order
};

// A Kafka topic read from outside any consumer group (nothing is committed, no group
// rebalances): every partition from its start, only what is stored from now on, or each
// partition's newest `newest` records and what comes after them.
class KafkaTopicReader {
 public:
  enum class From { Start, Now, Newest };
  // Throws, naming the brokers, when they do not answer or do not have the topic.
  KafkaTopicReader(const BusEndpoint& bus, From from, std::uint64_t newest = 0);
  ~KafkaTopicReader();
  KafkaTopicReader(const KafkaTopicReader&) = delete;
  KafkaTopicReader& operator=(const KafkaTopicReader&) = delete;

  // The next record within `wait`, or nothing. Partitions interleave; each one's records
  // come in order.
  std::optional<KafkaRecord> next(std::chrono::milliseconds wait);
  // Every partition has been read up to where it ended when the reader opened.
  bool caught_up() const;
  // Why next() gave nothing, when the brokers said why (a lost connection, which librdkafka
  // goes on retrying); "" once records come again.
  const std::string& trouble() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Where a cluster keeps the JetStream stream: how many copies it asks for, the node leading
// it and the nodes holding the other copies, each with whether it has caught up with the
// leader. On a single server: one copy, no other nodes. (Kafka's mock cluster has no such
// view.)
struct StreamPeers {
  int replicas = 0;
  std::string leader;
  std::map<std::string, bool> followers;  // node → current
};
StreamPeers stream_peers(const NatsEndpoint& nats, const std::string& stream = "fooddelivery");

// A service's durable consumer; on Kafka, its consumer group.
struct ConsumerState {
  bool exists = false;               // Kafka: the group committed an offset
  std::uint64_t pending = 0;         // stored, not yet delivered; Kafka: not yet committed
  std::uint64_t unacknowledged = 0;  // delivered, not yet acknowledged; Kafka: always 0 (not told)
  std::uint64_t delivered = 0;       // stream sequence of the last delivery; Kafka: 0 (offsets are per partition)
  // A running service consumes through it. Kafka: always false, as the mock broker
  // (librdkafka 2.0.2) answers neither ListGroups nor DescribeGroups: whether a service
  // consumes is its /health's "bus".
  bool bound = false;
  int copies = 1;  // nodes holding its state (its leader and followers); Kafka: 1
};
ConsumerState consumer_state(const BusEndpoint& bus, const std::string& durable);

// Makes a service's next start receive the whole stream again (a read model's rebuild):
// JetStream deletes its durable consumer, Kafka sets its group's offsets back to each
// partition's start. Refuses while a running service still consumes through it.
void forget_consumer(const BusEndpoint& bus, const std::string& durable);

// Appends events to the outbox inside the caller's transaction: published only once committed.
void append_events(Db& tx, const std::vector<Event>& events);

// Reaction to one event type, run inside the transaction that records it in the inbox.
// Throwing rolls that transaction back: the event is delivered again later, up to
// MessagingOptions::max_deliver times, then kept in the dead letters; contracts::UnreadableEvent
// (a body that does not match its contract) goes there at once.
using Reaction = std::function<void(Db& tx, const ReceivedEvent& event)>;

// An event the consumer gave up on, kept in the service's own database (fd_dead_letters) until
// an operator replays it (fooddelivery dead-letters).
struct DeadLetter {
  std::string id;           // the event's id (its inbox key)
  std::string type;         // the type it came as (its subject's on JetStream)
  std::string body;         // as delivered, byte for byte
  boost::json::object headers;  // as delivered
  std::string error;        // why it was refused, the last time
  std::int64_t attempts = 0;    // deliveries, and replays, that failed
  std::int64_t failed_at = 0;   // epoch ms of the last failure
};

// What replaying one dead letter did: applied (or found applied already, and removed from the
// dead letters), or refused again (kept, with the new error).
struct Replay {
  std::string id;
  bool applied = false;
  std::string error;
};

class Messaging {
 public:
  Messaging(Db& db, MessagingOptions options);
  ~Messaging();

  // Starts the relay; and the consumer when reactions are given. Connects lazily and
  // keeps retrying while NATS is away, so a service starts without the broker.
  void start(std::map<std::string, Reaction> reactions);
  void stop();
  bool connected() const;
  const char* broker() const;  // Bus::broker()
  bool consumer_ready() const;  // Bus::consumer_ready()
  std::size_t pending_outbox() const;

  std::vector<DeadLetter> dead_letters() const;  // oldest failure first
  std::size_t dead_letter_count() const;
  // Applies dead letters again through the inbox, as a delivery would be: the one with this
  // id, or every one when id is empty. Empty when there is no such dead letter.
  std::vector<Replay> replay_dead_letters(const std::string& id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform
