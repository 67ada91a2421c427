#pragma once
// The bus: a transactional outbox relayed to JetStream, and one durable consumer per
// service whose effects are de-duplicated by an inbox kept in the same transaction.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
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
};

// Creates the outbox and inbox tables.
void migrate_messaging(Db& db);

// Looking at the bus from outside (the chaos checker, tests): what the stream holds and how
// far each service's consumer has come. Each call opens a connection of its own, as the
// endpoint's identity: `viewer` may do each but forget_consumer, which a service may do to
// its own consumer.
struct StoredEvent {
  std::uint64_t seq = 0;  // stream sequence
  std::string type;       // NATS header `type`
  std::string id;         // Nats-Msg-Id
  boost::json::object body;
};
// Every event the stream holds now, in order.
std::vector<StoredEvent> read_stream(const NatsEndpoint& nats, const std::string& stream = "fooddelivery");
// The stream's last sequence (0 when empty).
std::uint64_t last_sequence(const NatsEndpoint& nats, const std::string& stream = "fooddelivery");

// Where a cluster keeps the stream: how many copies it asks for, the node leading it and
// the nodes holding the other copies, each with whether it has caught up with the leader.
// On a single server: one copy, no other nodes.
struct StreamPeers {
  int replicas = 0;
  std::string leader;
  std::map<std::string, bool> followers;  // node → current
};
StreamPeers stream_peers(const NatsEndpoint& nats, const std::string& stream = "fooddelivery");

struct ConsumerState {
  bool exists = false;
  std::uint64_t pending = 0;         // stored, not yet delivered
  std::uint64_t unacknowledged = 0;  // delivered, not yet acknowledged
  std::uint64_t delivered = 0;       // stream sequence of the last delivery
  bool bound = false;                // a running service consumes through it
  int copies = 1;                    // nodes holding its state (its leader and followers)
};
ConsumerState consumer_state(const NatsEndpoint& nats, const std::string& durable,
                             const std::string& stream = "fooddelivery");

// Deletes a service's durable consumer, so that its next start receives the whole stream
// again (a read model's rebuild). Refuses while a running service still consumes through it.
void forget_consumer(const NatsEndpoint& nats, const std::string& stream, const std::string& durable);

// Appends events to the outbox inside the caller's transaction: published only once committed.
void append_events(Db& tx, const std::vector<Event>& events);

// Reaction to one event type, run inside the transaction that records it in the inbox.
// Throwing rolls that transaction back: the event is delivered again later, unless it was
// contracts::UnreadableEvent (a body that does not match its contract), which drops it.
using Reaction = std::function<void(Db& tx, const ReceivedEvent& event)>;

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
  std::size_t pending_outbox() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform
