#pragma once
// The Bus on Apache Kafka (librdkafka): one topic (the options' stream name), the record key
// the event's orderId (one order's events stay in order on one partition), headers `type`
// and `event-id`, the flat JSON as the value; one consumer group per service whose offsets
// are committed only after the handler acknowledged (the inbox transaction committed).
//
// Threads: the owner's (connect, close), the relay's (ensure_ready, publish) and the bus's
// own poller, which serves librdkafka's callbacks, watches the brokers, and runs the handler
// on the records fetched together; every consumer call is made on it, so a rebalance never
// runs while the handler has records in hand.
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "platform/bus.hpp"
#include "platform/messaging.hpp"

namespace platform {

// The headers every event's record carries: its type, and its id (what JetStream's
// Nats-Msg-Id carries).
inline constexpr const char* kKafkaTypeHeader = "type";
inline constexpr const char* kKafkaIdHeader = "event-id";

// How soon a dead member's partitions go to the others: it stops heartbeating, and the group
// coordinator drops it after this. A rebalance waits as long for the members to join again:
// a killed service's restarted process consumes only once its dead self is dropped. 6 s is
// the least a Kafka broker accepts by default (group.min.session.timeout.ms).
inline constexpr const char* kKafkaSessionTimeoutMs = "6000";

// Sets a librdkafka property; throws saying which one librdkafka refused and why.
void kafka_set(rd_kafka_conf_t* conf, const char* name, const std::string& value);
// A header's last value in a record; "" when it has none.
std::string kafka_header(rd_kafka_headers_t* headers, const char* name);
// Every header of a record, in order.
std::vector<std::pair<std::string, std::string>> kafka_headers(rd_kafka_headers_t* headers);

// A list of topic partitions, destroyed with it: one made here, or one librdkafka handed over
// (rd_kafka_assignment).
class KafkaPartitions {
 public:
  explicit KafkaPartitions(int size) : list(rd_kafka_topic_partition_list_new(size)) {}
  explicit KafkaPartitions(rd_kafka_topic_partition_list_t* handed_over) : list(handed_over) {}
  ~KafkaPartitions() { rd_kafka_topic_partition_list_destroy(list); }
  KafkaPartitions(const KafkaPartitions&) = delete;
  KafkaPartitions& operator=(const KafkaPartitions&) = delete;

  // Adds one; its offset, when the call reads one, is set on what this returns.
  rd_kafka_topic_partition_t& add(const std::string& topic, std::int32_t partition) {
    return *rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  }

  rd_kafka_topic_partition_list_t* list;
};

// The bootstrap list of FD_BUS_URL=kafka://host:port[,host:port...]; throws
// std::invalid_argument saying what is wrong with a malformed one.
std::string kafka_bootstrap(const std::string& bus_url);

// A record the consumer took, destroyed with it.
struct TakenRecordDestroy {
  void operator()(rd_kafka_message_t* record) const { rd_kafka_message_destroy(record); }
};
using TakenRecord = std::unique_ptr<rd_kafka_message_t, TakenRecordDestroy>;

class KafkaBus final : public Bus {
 public:
  // Uses bus_url (kafka://...), stream as the topic, and durable as the client's name.
  explicit KafkaBus(MessagingOptions options);
  ~KafkaBus() override;

  void subscribe(ConsumerSpec consumer, DeliveryHandler handler) override;
  void connect(std::function<void()> reachable) override;
  bool connected() const override { return connected_; }
  const char* broker() const override { return "kafka"; }
  bool drops_republished() const override { return false; }
  bool consumer_ready() const override;
  bool ensure_ready() override { return connected_; }
  void consume(bool take) override { consuming_ = take; }
  PublishResult publish(const std::vector<OutgoingMessage>& batch) override;
  void close() override;

 private:
  using Clock = std::chrono::steady_clock;
  using Position = std::pair<std::int32_t, std::int64_t>;  // partition, offset

  MessagingOptions options_;
  std::string bootstrap_;
  std::optional<ConsumerSpec> consumer_spec_;
  DeliveryHandler handler_;
  std::function<void()> reachable_;

  rd_kafka_t* producer_ = nullptr;
  rd_kafka_topic_t* topic_ = nullptr;  // the producer's handle, for metadata requests
  rd_kafka_t* consumer_ = nullptr;
  std::thread poller_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> consuming_{true};

  // The poller's alone.
  bool subscribed_ = false;
  Clock::time_point subscribed_at_{};
  bool slow_join_logged_ = false;
  Clock::time_point next_check_{};
  std::map<Position, std::uint64_t> attempts_;      // deliveries of a record not yet settled
  std::map<std::int32_t, Clock::time_point> held_;  // nak'ed partitions, paused until then
  std::uint64_t rebalances_ = 0;                    // the group's assignments so far
  std::string last_consume_error_;

  // Delivery reports of the batch in flight; a report of an earlier batch (one abandoned
  // after a timeout) carries another generation and is ignored.
  std::mutex publish_mutex_;
  std::uint64_t generation_ = 0;
  std::vector<std::optional<rd_kafka_resp_err_t>> outcomes_;
  // The group has given this member its partitions (once: a later rebalance is brief).
  std::atomic<bool> assigned_{false};

  rd_kafka_conf_t* common_conf(const char* role);
  bool check_brokers(int timeout_ms);
  void poll_loop();
  void follow_consuming();
  void note_slow_join();
  void release_held();
  std::vector<TakenRecord> take_records();
  void deliver(std::span<const TakenRecord> records);
  void settle(const std::map<std::int32_t, std::int64_t>& next_offsets);
  void hold(rd_kafka_message_t* record, std::chrono::milliseconds delay);
  void forget(const rd_kafka_topic_partition_list_t* partitions);

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* report, void* opaque);
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque);
};

}  // namespace platform
