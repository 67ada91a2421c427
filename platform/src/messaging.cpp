// The bus: transactional outbox (outbox.cpp) -> relay (relay.cpp) -> broker, and a durable
// consumer whose effects are de-duplicated by an inbox written in the same transaction as
// the effect (consumer.cpp). The broker is behind Bus: JetStream (jetstream_bus.cpp) or
// Kafka (kafka_bus.cpp).
#include "platform/messaging.hpp"

#include <memory>
#include <stdexcept>
#include <utility>

#include "consumer.hpp"
#include "jetstream_bus.hpp"
#include "kafka_bus.hpp"
#include "platform/bus.hpp"
#include "platform/log.hpp"
#include "relay.hpp"

namespace platform {

namespace {

// The one place the broker is chosen: FD_BUS_URL (MessagingOptions::bus_url).
std::unique_ptr<Bus> make_bus(const MessagingOptions& options) {
  if (options.bus_url.empty()) return std::make_unique<JetStreamBus>(options);
  if (options.bus_url.starts_with("kafka://")) return std::make_unique<KafkaBus>(options);
  throw std::invalid_argument("FD_BUS_URL '" + options.bus_url +
                              "' names no broker this platform speaks: give kafka://host:port[,host:port...] for "
                              "Kafka, or leave it unset for JetStream (FD_NATS_URL)");
}

}  // namespace

struct Messaging::Impl {
  Impl(Db& db_, MessagingOptions options_)
      : db(db_), options(std::move(options_)), bus(make_bus(options)), relay(db, *bus, options) {}

  Db& db;
  MessagingOptions options;
  std::map<std::string, Reaction> reactions;
  std::unique_ptr<Bus> bus;
  Relay relay;
  bool started = false;
  bool stopped = false;

  void start(std::map<std::string, Reaction> given);
  void stop();
};

void Messaging::Impl::start(std::map<std::string, Reaction> given) {
  if (started) throw std::logic_error("Messaging::start called twice");
  // JetStream keeps at most 5 copies of a stream.
  if (options.stream_replicas < 1 || options.stream_replicas > 5)
    throw std::invalid_argument("FD_NATS_STREAM_REPLICAS must be from 1 to 5, not " +
                                std::to_string(options.stream_replicas));
  if (options.max_deliver < 1) throw std::invalid_argument("FD_MAX_DELIVER must be at least 1");
  if (options.stream_duplicate_window < std::chrono::milliseconds(100))  // JetStream's least
    throw std::invalid_argument("FD_STREAM_DUPLICATE_WINDOW must be a positive number of seconds, not " +
                                std::to_string(options.stream_duplicate_window.count() / 1000));
  if (options.stream_max_age < options.min_stream_max_age())
    throw std::invalid_argument(
        "FD_STREAM_MAX_AGE must be at least " + std::to_string(options.min_stream_max_age().count()) + " s, not " +
        std::to_string(options.stream_max_age.count()) + " s: JetStream's duplicate window (FD_STREAM_DUPLICATE_WINDOW, " +
        std::to_string(std::chrono::ceil<std::chrono::seconds>(options.stream_duplicate_window).count()) +
        " s) and an event's last redelivery (FD_MAX_DELIVER " + std::to_string(options.max_deliver) +
        " x 35 s) must fall within it");
  if (options.stream_max_bytes < 1) throw std::invalid_argument("FD_STREAM_MAX_BYTES must be at least 1");
  if (!given.empty()) {
    if (options.durable.empty()) throw std::invalid_argument("MessagingOptions.durable is required to consume events");
    ConsumerSpec consumer{options.durable, {}};
    for (const auto& [type, reaction] : given) consumer.types.insert(type);
    bus->subscribe(std::move(consumer),
                   [this](std::span<const Delivery> batch) { return consume(db, reactions, batch, options.max_deliver); });
  }
  reactions = std::move(given);
  migrate_messaging(db);

  // Known before connecting, so that a replica that does not lead never takes a delivery.
  bus->consume(relay.leads());
  bus->connect(relay.waker());
  started = true;
  relay.start();
  log::info("messaging started", {{"url", options.bus_url.empty() ? options.nats.where() : options.bus_url},
                                  {"stream", options.stream},
                                  {"durable", options.durable.empty() ? "-" : options.durable}});
}

void Messaging::Impl::stop() {
  if (stopped) return;
  stopped = true;
  relay.stop();  // first: no publish is in flight while the bus closes
  bus->close();
  if (started) log::info("messaging stopped", {{"stream", options.stream}});
}

Messaging::Messaging(Db& db, MessagingOptions options) : impl_(std::make_unique<Impl>(db, std::move(options))) {}

Messaging::~Messaging() { stop(); }

void Messaging::start(std::map<std::string, Reaction> reactions) { impl_->start(std::move(reactions)); }

void Messaging::stop() { impl_->stop(); }

bool Messaging::connected() const { return impl_->bus->connected(); }

const char* Messaging::broker() const { return impl_->bus->broker(); }

bool Messaging::consumer_ready() const { return impl_->bus->consumer_ready(); }

std::size_t Messaging::pending_outbox() const {
  auto row = impl_->db.query_one("SELECT COUNT(*) FROM fd_outbox");
  const auto rows = row ? static_cast<std::size_t>(row->integer(0)) : 0;
  // (the relay works meanwhile: never below zero)
  const auto published = impl_->relay.published_undeleted();
  return rows > published ? rows - published : 0;
}

std::vector<DeadLetter> Messaging::dead_letters() const { return platform::dead_letters(impl_->db); }

std::size_t Messaging::dead_letter_count() const {
  auto row = impl_->db.query_one("SELECT COUNT(*) FROM fd_dead_letters");
  return row ? static_cast<std::size_t>(row->integer(0)) : 0;
}

std::vector<Replay> Messaging::replay_dead_letters(const std::string& id) {
  return platform::replay_dead_letters(impl_->db, impl_->reactions, id);
}

}  // namespace platform
