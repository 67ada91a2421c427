// The Kafka bus: the idempotent producer the relay publishes through, and the consumer group
// member whose offsets follow the inbox (kafka_bus.hpp).
#include "kafka_bus.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string_view>

#include "platform/config.hpp"
#include "consumer.hpp"
#include "platform/log.hpp"
#include "platform/thread_name.hpp"

namespace platform {

namespace {

constexpr int kDeliveryTimeoutMs = 10'000;  // a record not stored by then fails: the outbox keeps it
constexpr auto kPublishWait = std::chrono::milliseconds(kDeliveryTimeoutMs + 5'000);
constexpr int kCheckTimeoutMs = 2'000;  // a metadata request that tells whether brokers answer
constexpr auto kCheckEvery = std::chrono::seconds(1);
constexpr int kPollMs = 50;
constexpr auto kSlowJoin = std::chrono::seconds(10);
constexpr const char* kHeartbeatMs = "1000";

}  // namespace

void kafka_set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char error[512] = "";
  if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK)
    throw std::runtime_error(std::string("librdkafka refuses ") + name + "=" + value + ": " + error);
}

std::string kafka_header(rd_kafka_headers_t* headers, const char* name) {
  const void* value = nullptr;
  std::size_t size = 0;
  if (!headers || rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR || !value)
    return {};
  return std::string(static_cast<const char*>(value), size);
}

std::vector<std::pair<std::string, std::string>> kafka_headers(rd_kafka_headers_t* headers) {
  std::vector<std::pair<std::string, std::string>> all;
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  for (std::size_t i = 0; headers && rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
    all.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : std::string());
  return all;
}

std::string kafka_bootstrap(const std::string& bus_url) {
  constexpr std::string_view scheme = "kafka://";
  const auto wrong = [&](const std::string& why) {
    return std::invalid_argument("FD_BUS_URL '" + bus_url + "' is not kafka://host:port[,host:port...]: " + why);
  };
  if (!bus_url.starts_with(scheme)) throw wrong("it does not start with kafka://");
  std::string list = bus_url.substr(scheme.size());
  if (list.empty()) throw wrong("no broker is named");
  for (const auto& broker : comma_separated(list)) {
    auto colon = broker.rfind(':');
    if (broker.empty()) throw wrong("an empty broker between commas");
    if (colon == std::string::npos || colon == 0) throw wrong("'" + broker + "' has no host:port");
    auto port = broker.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) < 1 || std::stoi(port) > 65535)
      throw wrong("'" + broker + "' has no port from 1 to 65535");
  }
  return list;
}

KafkaBus::KafkaBus(MessagingOptions options)
    : options_(std::move(options)), bootstrap_(kafka_bootstrap(options_.bus_url)) {}

KafkaBus::~KafkaBus() { close(); }

void KafkaBus::subscribe(ConsumerSpec consumer, DeliveryHandler handler) {
  if (consumer.durable.empty()) throw std::invalid_argument("a Kafka consumer group needs a name");
  consumer_spec_ = std::move(consumer);
  handler_ = std::move(handler);
}

rd_kafka_conf_t* KafkaBus::common_conf(const char* role) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  try {
    kafka_set(conf, "bootstrap.servers", bootstrap_);
    kafka_set(conf, "client.id",
              (options_.durable.empty() ? std::string("fooddelivery") : options_.durable) + "-" + role);
  } catch (...) {
    rd_kafka_conf_destroy(conf);
    throw;
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_error_cb(conf, on_error);
  return conf;
}

void KafkaBus::connect(std::function<void()> reachable) {
  reachable_ = std::move(reachable);
  char error[512] = "";
  rd_kafka_conf_t* conf = common_conf("producer");
  try {
    kafka_set(conf, "enable.idempotence", "true");
    kafka_set(conf, "acks", "all");
    kafka_set(conf, "message.timeout.ms", std::to_string(kDeliveryTimeoutMs));
    kafka_set(conf, "linger.ms", "1");
  } catch (...) {
    rd_kafka_conf_destroy(conf);
    throw;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);  // takes conf on success
  if (!producer_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create the Kafka producer: ") + error);
  }
  topic_ = rd_kafka_topic_new(producer_, options_.stream.c_str(), nullptr);

  if (consumer_spec_) {
    conf = common_conf("consumer");
    try {
      kafka_set(conf, "group.id", consumer_spec_->durable);
      kafka_set(conf, "enable.auto.commit", "false");
      kafka_set(conf, "auto.offset.reset", "earliest");
      kafka_set(conf, "session.timeout.ms", kKafkaSessionTimeoutMs);
      kafka_set(conf, "heartbeat.interval.ms", kHeartbeatMs);
      kafka_set(conf, "fetch.wait.max.ms", std::to_string(options_.kafka_fetch_wait.count()));
      // librdkafka prefetches up to 64 MB per consumer by default; at most 64 records are
      // applied at once, and events are a few hundred bytes: 1 MB ahead is thousands of them.
      kafka_set(conf, "queued.max.messages.kbytes", "1024");
    } catch (...) {
      rd_kafka_conf_destroy(conf);
      close();
      throw;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (!consumer_) {
      rd_kafka_conf_destroy(conf);
      close();
      throw std::runtime_error(std::string("cannot create the Kafka consumer of group ") + consumer_spec_->durable +
                               ": " + error);
    }
    rd_kafka_poll_set_consumer(consumer_);
  }

  if (!check_brokers(kCheckTimeoutMs))
    log::warn("Kafka unavailable; retrying in the background, events wait in the outbox", {{"bootstrap", bootstrap_}});
  follow_consuming();  // joins the group now when the brokers are there
  poller_ = std::thread([this] {
    name_this_thread("consumer");
    poll_loop();
  });
}

bool KafkaBus::consumer_ready() const { return !consumer_ || !consuming_ || assigned_; }

// Whether the brokers answer and know the topic: what publishing needs.
bool KafkaBus::check_brokers(int timeout_ms) {
  const rd_kafka_metadata_t* metadata = nullptr;
  auto err = rd_kafka_metadata(producer_, 0, topic_, &metadata, timeout_ms);
  bool ready = err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1 &&
               metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string why = err ? rd_kafka_err2str(err) : (ready ? "" : rd_kafka_err2str(metadata->topics[0].err));
  if (metadata) rd_kafka_metadata_destroy(metadata);
  const bool was = connected_.exchange(ready);
  if (ready && !was) {
    log::info("Kafka connected", {{"bootstrap", bootstrap_}, {"topic", options_.stream}});
    if (reachable_) reachable_();
  } else if (!ready && was) {
    log::warn("Kafka unreachable; events wait in the outbox until it is back",
              {{"bootstrap", bootstrap_}, {"topic", options_.stream}, {"error", why}});
  }
  return ready;
}

void KafkaBus::poll_loop() {
  while (!stopping_) {
    rd_kafka_poll(producer_, 0);  // errors, and reports of a batch publish() gave up on
    if (Clock::now() >= next_check_) {
      check_brokers(kCheckTimeoutMs);
      next_check_ = Clock::now() + kCheckEvery;
    }
    if (!consumer_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    follow_consuming();
    note_slow_join();
    release_held();
    if (auto records = take_records(); !records.empty()) deliver(records);
  }
  // Leaves the group (revoking serves on_rebalance here); offsets were committed per batch.
  if (consumer_) rd_kafka_consumer_close(consumer_);
}

// A replica that does not lead leaves the group, so that its partitions go to the leader.
void KafkaBus::follow_consuming() {
  if (!consumer_) return;
  const bool take = consuming_;
  if (take == subscribed_) return;
  if (take) {
    KafkaPartitions topic(1);
    topic.add(options_.stream, RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(consumer_, topic.list)) {
      log::error("cannot subscribe to the Kafka topic",
                 {{"topic", options_.stream}, {"group", consumer_spec_->durable}, {"error", rd_kafka_err2str(err)}});
      return;
    }
  } else {
    rd_kafka_unsubscribe(consumer_);
  }
  subscribed_ = take;
  subscribed_at_ = Clock::now();
  slow_join_logged_ = false;
}

// A group's first join takes about 3 s on the test broker; one that takes far longer is
// said, so that a service waiting at STARTING has its reason in its log.
void KafkaBus::note_slow_join() {
  if (!subscribed_ || assigned_ || slow_join_logged_ || Clock::now() - subscribed_at_ < kSlowJoin) return;
  slow_join_logged_ = true;
  log::warn("the Kafka consumer group has not assigned this consumer its partitions yet; it keeps joining",
            {{"group", consumer_spec_->durable},
             {"waitedSeconds", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kSlowJoin).count())},
             {"bootstrap", bootstrap_}});
}

// The first record that comes within kPollMs and those already fetched behind it, up to
// kMaxDeliveryBatch: what arrived together is applied in one transaction.
std::vector<TakenRecord> KafkaBus::take_records() {
  std::vector<TakenRecord> records;
  TakenRecord first(rd_kafka_consumer_poll(consumer_, kPollMs));
  if (!first) return records;
  records.push_back(std::move(first));
  auto rebalances = rebalances_;
  while (records.size() < kMaxDeliveryBatch) {
    TakenRecord next(rd_kafka_consumer_poll(consumer_, 0));
    if (!next) break;
    if (rebalances_ != rebalances) {
      // The group changed hands while this batch was taken: the records before it belonged to
      // the assignment that ended, and come again from the committed offsets to whoever holds
      // their partitions now; this one is of the new assignment.
      records.clear();
      rebalances = rebalances_;
    }
    records.push_back(std::move(next));
  }
  if (rebalances_ != rebalances) records.clear();  // served by the last, empty poll: as above
  return records;
}

void KafkaBus::deliver(std::span<const TakenRecord> records) {
  std::vector<Delivery> deliveries;
  std::vector<std::size_t> delivered_at;   // each delivery's record
  std::vector<bool> done(records.size());  // settled without the handler: not an event of this service
  for (std::size_t i = 0; i < records.size(); ++i) {
    rd_kafka_message_t* record = records[i].get();
    if (record->err) {
      if (record->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      std::string error = rd_kafka_message_errstr(record);
      if (error != last_consume_error_)
        log::warn("Kafka consumer error", {{"group", consumer_spec_->durable}, {"error", error}});
      last_consume_error_ = error;
      continue;
    }
    last_consume_error_.clear();
    // The high watermark is the offset the next record will take, as of the last fetch.
    std::int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(consumer_, options_.stream.c_str(), record->partition, &low, &high) ==
        RD_KAFKA_RESP_ERR_NO_ERROR)
      note_consumer_lag(record->partition,
                        static_cast<std::uint64_t>(std::max<std::int64_t>(0, high - record->offset - 1)));
    rd_kafka_headers_t* headers = nullptr;
    rd_kafka_message_headers(record, &headers);
    Delivery delivery;
    delivery.header_type = kafka_header(headers, kKafkaTypeHeader);
    // Kafka has no subject per type that only the type's producer may publish on: the header
    // is all there is, and consumer.cpp still holds it to the body's eventType.
    delivery.type = delivery.header_type;
    delivery.id = kafka_header(headers, kKafkaIdHeader);
    delivery.headers = kafka_headers(headers);
    if (delivery.id.empty())
      delivery.id = options_.stream + "-" + std::to_string(record->partition) + "-" + std::to_string(record->offset);
    if (!consumer_spec_->types.contains(delivery.type)) {
      done[i] = true;
      continue;
    }
    delivery.attempt = ++attempts_[{record->partition, record->offset}];
    delivery.partition = record->partition;
    delivery.body = std::string_view(static_cast<const char*>(record->payload), record->len);
    deliveries.push_back(std::move(delivery));
    delivered_at.push_back(i);
  }
  std::vector<Verdict> verdicts;
  if (!deliveries.empty()) verdicts = handler_(deliveries);

  // Each partition's offset moves past what was settled, up to its first nak: that record is
  // where the partition goes back to, and the ones after it, left unapplied, come again.
  std::map<std::int32_t, std::int64_t> next_offsets;
  std::set<std::int32_t> held_now;
  for (std::size_t i = 0, j = 0; i < records.size(); ++i) {
    rd_kafka_message_t* record = records[i].get();
    bool settled = done[i];
    if (j < delivered_at.size() && delivered_at[j] == i) {
      const Verdict& verdict = verdicts[j++];
      if (verdict.kind == Verdict::Kind::Nak) {
        if (held_now.insert(record->partition).second) {
          hold(record, verdict.delay);
        } else if (auto attempts = attempts_.find({record->partition, record->offset}); --attempts->second == 0) {
          attempts_.erase(attempts);  // it waited unapplied behind the first: not an attempt of its own
        }
        continue;
      }
      attempts_.erase({record->partition, record->offset});
      settled = true;
    }
    if (settled && !held_now.contains(record->partition)) next_offsets[record->partition] = record->offset + 1;
  }
  settle(next_offsets);
}

// Commits each partition's offset: the group resumes there. Synchronous, so that an
// acknowledged record is never delivered again to a process that lives on.
void KafkaBus::settle(const std::map<std::int32_t, std::int64_t>& next_offsets) {
  if (next_offsets.empty()) return;
  KafkaPartitions offsets(static_cast<int>(next_offsets.size()));
  for (const auto& [partition, offset] : next_offsets) offsets.add(options_.stream, partition).offset = offset;
  if (auto err = rd_kafka_commit(consumer_, offsets.list, 0))
    log::warn("Kafka offset commit failed; the records may be delivered again (the inbox drops them)",
              {{"group", consumer_spec_->durable},
               {"partitions", std::to_string(next_offsets.size())},
               {"error", rd_kafka_err2str(err)}});
}

// A nak: the partition goes back to this record and waits, the others go on.
void KafkaBus::hold(rd_kafka_message_t* record, std::chrono::milliseconds delay) {
  KafkaPartitions partition(1);
  partition.add(options_.stream, record->partition).offset = record->offset;
  rd_kafka_pause_partitions(consumer_, partition.list);
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_, partition.list, kCheckTimeoutMs)) {
    log::warn("Kafka seek back failed; the record comes again when the group rebalances",
              {{"group", consumer_spec_->durable}, {"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
  }
  held_[record->partition] = Clock::now() + delay;
}

void KafkaBus::release_held() {
  const auto now = Clock::now();
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    KafkaPartitions partition(1);
    partition.add(options_.stream, it->first);
    rd_kafka_resume_partitions(consumer_, partition.list);
    it = held_.erase(it);
  }
}

void KafkaBus::forget(const rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; i < partitions->cnt; ++i) {
    const std::int32_t p = partitions->elems[i].partition;
    held_.erase(p);
    std::erase_if(attempts_, [p](const auto& entry) { return entry.first.first == p; });
  }
}

// Served on the poller, between batches or while one is taken (take_records drops what it
// took before). A revoked partition keeps the offsets committed so far (only acknowledged
// records'); an assigned one resumes from its committed offset (or the earliest record for a
// new group).
void KafkaBus::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                            void* opaque) {
  auto& self = *static_cast<KafkaBus*>(opaque);
  ++self.rebalances_;
  self.forget(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, partitions);
    log::info("Kafka partitions assigned",
              {{"group", self.consumer_spec_->durable},
               {"partitions", std::to_string(partitions->cnt)},
               {"afterMs", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              Clock::now() - self.subscribed_at_)
                                              .count())}});
    self.assigned_ = true;
  } else {
    rd_kafka_assign(rk, nullptr);
    log::info("Kafka partitions revoked",
              {{"group", self.consumer_spec_->durable}, {"partitions", std::to_string(partitions->cnt)}});
  }
}

void KafkaBus::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto& self = *static_cast<KafkaBus*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    if (self.connected_.exchange(false))
      log::warn("Kafka unreachable; events wait in the outbox until it is back", {{"bootstrap", self.bootstrap_}});
  } else {
    log::warn("Kafka error", {{"bootstrap", self.bootstrap_},
                              {"error", reason ? reason : rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))}});
  }
}

void KafkaBus::on_delivery(rd_kafka_t*, const rd_kafka_message_t* report, void* opaque) {
  auto& self = *static_cast<KafkaBus*>(opaque);
  const auto tag = reinterpret_cast<std::uintptr_t>(report->_private);
  const std::uint64_t generation = tag >> 32;
  const std::size_t index = tag & 0xffffffffu;
  {
    std::lock_guard lock(self.publish_mutex_);
    if (generation != self.generation_ || index >= self.outcomes_.size()) return;
    self.outcomes_[index] = report->err;
  }
}

PublishResult KafkaBus::publish(const std::vector<OutgoingMessage>& batch) {
  std::uint64_t generation;
  {
    std::lock_guard lock(publish_mutex_);
    generation = ++generation_;
    outcomes_.assign(batch.size(), std::nullopt);
  }
  PublishResult result;
  std::size_t sent = 0;
  for (const auto& message : batch) {
    const auto tag = static_cast<std::uintptr_t>((generation << 32) | sent);
    rd_kafka_headers_t* headers = rd_kafka_headers_new(3);
    rd_kafka_header_add(headers, kKafkaTypeHeader, -1, message.type.data(), static_cast<ssize_t>(message.type.size()));
    rd_kafka_header_add(headers, kKafkaIdHeader, -1, message.id.data(), static_cast<ssize_t>(message.id.size()));
    if (!message.traceparent.empty())
      rd_kafka_header_add(headers, "traceparent", -1, message.traceparent.data(),
                          static_cast<ssize_t>(message.traceparent.size()));
    // The array form of rd_kafka_producev, whose variadic arguments the loader
    // (rdkafka_loader.cpp) could not pass on.
    rd_kafka_vu_t record[6] = {};
    record[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    record[0].u.cstr = options_.stream.c_str();
    record[1].vtype = RD_KAFKA_VTYPE_KEY;
    record[1].u.mem = {message.order_id.empty() ? nullptr : const_cast<char*>(message.order_id.data()),
                       message.order_id.size()};
    record[2].vtype = RD_KAFKA_VTYPE_VALUE;
    record[2].u.mem = {const_cast<char*>(message.body.data()), message.body.size()};
    record[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    record[3].u.i = RD_KAFKA_MSG_F_COPY;
    record[4].vtype = RD_KAFKA_VTYPE_HEADERS;
    record[4].u.headers = headers;
    record[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
    record[5].u.ptr = reinterpret_cast<void*>(tag);
    if (rd_kafka_error_t* error = rd_kafka_produceva(producer_, record, std::size(record))) {
      rd_kafka_headers_destroy(headers);  // the producer takes them only when it queues the record
      result.error = std::string("cannot queue the record: ") + rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      break;
    }
    ++sent;
  }
  // Delivery reports come through polling; the idempotent producer stores them in order.
  // Unlike JetStream, Kafka keeps no ids: a record published again after a lost report is
  // stored twice, and the consumers' inbox drops the second copy.
  const auto deadline = Clock::now() + kPublishWait;
  std::unique_lock lock(publish_mutex_);
  auto reported = [&] {
    for (std::size_t i = 0; i < sent; ++i)
      if (!outcomes_[i]) return false;
    return true;
  };
  while (!reported() && Clock::now() < deadline) {
    lock.unlock();
    rd_kafka_poll(producer_, 10);
    lock.lock();
  }
  while (result.acknowledged < sent && outcomes_[result.acknowledged] == RD_KAFKA_RESP_ERR_NO_ERROR)
    ++result.acknowledged;
  if (result.acknowledged < batch.size() && result.error.empty()) {
    const auto& outcome = outcomes_[result.acknowledged];
    result.error = result.acknowledged >= sent ? "not queued"
                   : outcome                   ? std::string("Kafka refused the record: ") + rd_kafka_err2str(*outcome)
                                               : "timed out waiting for Kafka's delivery reports";
  }
  return result;
}

void KafkaBus::close() {
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
  if (consumer_) {
    rd_kafka_destroy(consumer_);
    consumer_ = nullptr;
  }
  if (topic_) {
    rd_kafka_topic_destroy(topic_);
    topic_ = nullptr;
  }
  if (producer_) {
    rd_kafka_flush(producer_, 1000);  // nothing is in flight: publish() waited for its reports
    rd_kafka_destroy(producer_);
    producer_ = nullptr;
  }
  connected_ = false;
}

}  // namespace platform
