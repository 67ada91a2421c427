// Looking at a Kafka topic from outside (messaging.hpp): short-lived librdkafka consumers that
// read partitions by assign(), never joining a group, except forget_consumer, which joins the
// service's group to tell whether another member is alive.
#include "kafka_inspection.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "kafka_bus.hpp"

namespace platform {

namespace {

constexpr int kRequestTimeoutMs = 5'000;
// A stored record comes within this while a reader has not caught up, or the broker is stuck.
constexpr auto kReadStall = std::chrono::seconds(10);
// Joining the group: the first join waits out the broker's initial rebalance delay (3 s);
// a member killed without leaving is dropped after its session timeout (6 s).
constexpr auto kJoinWait = std::chrono::seconds(20);

std::string failure(const BusEndpoint& bus, const std::string& what) {
  return what + " at " + bus.where();
}

// librdkafka consumes assigned partitions only with a group.id; readers use this one, whose
// name no service takes, and never join it or commit as it.
constexpr const char* kReaderGroup = "fooddelivery-reader";

using ErrorCallback = void (*)(rd_kafka_t*, int err, const char* reason, void* opaque);

// A consumer handle of the group: to read its committed offsets or to join it. Errors that
// librdkafka recovers from (a lost broker) go to on_error, when given.
rd_kafka_t* open_consumer(const BusEndpoint& bus, const std::string& group, ErrorCallback on_error, void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  try {
    kafka_set(conf, "bootstrap.servers", kafka_bootstrap(bus.bus_url));
    kafka_set(conf, "client.id", group + "-inspection");
    kafka_set(conf, "group.id", group);
    // The services' own: forget_consumer joins the group, whose rebalance waits as long as
    // the longest session timeout of its members.
    kafka_set(conf, "session.timeout.ms", kKafkaSessionTimeoutMs);
    kafka_set(conf, "enable.auto.commit", "false");
    kafka_set(conf, "enable.auto.offset.store", "false");
    // A broker that does not answer is an error to report, not a reason to wait forever.
    kafka_set(conf, "socket.timeout.ms", std::to_string(kRequestTimeoutMs));
    // What goes wrong reaches the caller (errors thrown, KafkaTopicReader::trouble()), not
    // librdkafka's own lines on stderr.
    kafka_set(conf, "log_level", "0");
  } catch (...) {
    rd_kafka_conf_destroy(conf);
    throw;
  }
  if (on_error) {
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, opaque);
  }
  char error[512] = "";
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (!handle) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(failure(bus, std::string("cannot create a Kafka client: ") + error));
  }
  rd_kafka_poll_set_consumer(handle);
  return handle;
}

// Destroying a consumer that joined a group leaves it (rd_kafka_consumer_close).
struct Handle {
  rd_kafka_t* rk;
  Handle(const BusEndpoint& bus, const std::string& group = kReaderGroup, ErrorCallback on_error = nullptr,
         void* opaque = nullptr)
      : rk(open_consumer(bus, group, on_error, opaque)) {}
  ~Handle() { rd_kafka_destroy(rk); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

// Where each partition starts and ends now (its low and high watermarks).
struct Watermarks {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

std::vector<Watermarks> watermarks(rd_kafka_t* rk, const BusEndpoint& bus) {
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, bus.stream.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  auto err = rd_kafka_metadata(rk, 0, topic, &metadata, kRequestTimeoutMs);
  rd_kafka_topic_destroy(topic);
  if (err) throw std::runtime_error(failure(bus, "cannot read topic " + bus.stream + ": " + rd_kafka_err2str(err)));
  int partitions = 0;
  if (metadata->topic_cnt == 1) {
    err = metadata->topics[0].err;
    partitions = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  if (err || partitions == 0)
    throw std::runtime_error(failure(
        bus, "no topic " + bus.stream + (err ? std::string(": ") + rd_kafka_err2str(err) : std::string())));
  std::vector<Watermarks> marks(static_cast<std::size_t>(partitions));
  for (int p = 0; p < partitions; ++p) {
    auto& mark = marks[static_cast<std::size_t>(p)];
    if (auto e = rd_kafka_query_watermark_offsets(rk, bus.stream.c_str(), p, &mark.low, &mark.high, kRequestTimeoutMs))
      throw std::runtime_error(failure(bus, "cannot read where partition " + std::to_string(p) + " of " + bus.stream +
                                                " ends: " + rd_kafka_err2str(e)));
  }
  return marks;
}

}  // namespace

struct KafkaTopicReader::Impl {
  BusEndpoint bus;
  std::string trouble;  // served on the thread that calls next()
  Handle handle;
  std::vector<Watermarks> ends;      // at opening
  std::vector<std::int64_t> reached;  // per partition, the offset after the last record read

  Impl(const BusEndpoint& bus_, From from, std::uint64_t newest)
      : bus(bus_), handle(bus, kReaderGroup, on_error, this), ends(watermarks(handle.rk, bus)) {
    KafkaPartitions all(static_cast<int>(ends.size()));
    for (std::size_t p = 0; p < ends.size(); ++p) {
      const auto& end = ends[p];
      const auto held = static_cast<std::uint64_t>(end.high - end.low);
      const auto start = from == From::Start ? end.low
                         : from == From::Now ? end.high
                                             : end.high - static_cast<std::int64_t>(std::min(newest, held));
      all.add(bus.stream, static_cast<std::int32_t>(p)).offset = start;
      reached.push_back(start);
    }
    if (auto err = rd_kafka_assign(handle.rk, all.list))
      throw std::runtime_error(
          failure(bus, "cannot read the partitions of " + bus.stream + ": " + rd_kafka_err2str(err)));
  }

  void tell(const std::string& what) { trouble = failure(bus, "reading topic " + bus.stream + ": " + what); }

  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<Impl*>(opaque)->tell(reason ? reason : rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)));
  }
};

KafkaTopicReader::KafkaTopicReader(const BusEndpoint& bus, From from, std::uint64_t newest)
    : impl_(std::make_unique<Impl>(bus, from, newest)) {}

KafkaTopicReader::~KafkaTopicReader() = default;

std::optional<KafkaRecord> KafkaTopicReader::next(std::chrono::milliseconds wait) {
  rd_kafka_message_t* message = rd_kafka_consumer_poll(impl_->handle.rk, static_cast<int>(wait.count()));
  if (!message) return std::nullopt;
  std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> held(message, rd_kafka_message_destroy);
  if (message->err) {
    // librdkafka goes on trying after a lost broker: the error is news, not the end.
    if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) impl_->tell(rd_kafka_message_errstr(message));
    return std::nullopt;
  }
  impl_->trouble.clear();
  rd_kafka_headers_t* headers = nullptr;
  rd_kafka_message_headers(message, &headers);
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const std::int64_t timestamp = rd_kafka_message_timestamp(message, &timestamp_type);
  KafkaRecord record{message->partition,
                     static_cast<std::uint64_t>(message->offset),
                     kafka_header(headers, kKafkaTypeHeader),
                     kafka_header(headers, kKafkaIdHeader),
                     std::string(static_cast<const char*>(message->payload), message->len),
                     timestamp_type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? 0 : timestamp,
                     kafka_headers(headers)};
  impl_->reached[static_cast<std::size_t>(message->partition)] = message->offset + 1;
  return record;
}

const std::string& KafkaTopicReader::trouble() const { return impl_->trouble; }

bool KafkaTopicReader::caught_up() const {
  for (std::size_t p = 0; p < impl_->ends.size(); ++p)
    if (impl_->reached[p] < impl_->ends[p].high) return false;
  return true;
}

namespace kafka_inspection {

std::vector<StoredEvent> read_stream(const BusEndpoint& bus) {
  KafkaTopicReader reader(bus, KafkaTopicReader::From::Start);
  std::vector<StoredEvent> events;
  auto stalled = std::chrono::steady_clock::now() + kReadStall;
  while (!reader.caught_up()) {
    auto record = reader.next(std::chrono::milliseconds(200));
    if (!record) {
      if (std::chrono::steady_clock::now() > stalled)
        throw std::runtime_error(reader.trouble().empty()
                                     ? failure(bus, "topic " + bus.stream +
                                                        " stopped delivering its stored records after " +
                                                        std::to_string(events.size()))
                                     : reader.trouble());
      continue;
    }
    stalled = std::chrono::steady_clock::now() + kReadStall;
    StoredEvent event{record->partition, record->offset, std::move(record->type), std::move(record->id), {}, {}};
    for (auto& [name, value] : record->headers)
      if (name == "traceparent") event.traceparent = std::move(value);
    boost::system::error_code ec;
    auto body = boost::json::parse(record->value, ec);
    if (!ec && body.is_object()) event.body = std::move(body.as_object());
    events.push_back(std::move(event));
  }
  std::stable_sort(events.begin(), events.end(), [](const StoredEvent& a, const StoredEvent& b) {
    return a.partition != b.partition ? a.partition < b.partition : a.seq < b.seq;
  });
  return events;
}

StreamMark stream_mark(const BusEndpoint& bus) {
  Handle handle(bus);
  StreamMark mark;
  const auto ends = watermarks(handle.rk, bus);
  for (std::size_t p = 0; p < ends.size(); ++p) mark.last[static_cast<int>(p)] = ends[p].high - 1;
  return mark;
}

ConsumerState consumer_state(const BusEndpoint& bus, const std::string& durable) {
  Handle handle(bus, durable);
  const auto ends = watermarks(handle.rk, bus);
  KafkaPartitions all(static_cast<int>(ends.size()));
  for (std::size_t p = 0; p < ends.size(); ++p)
    all.add(bus.stream, static_cast<std::int32_t>(p));
  if (auto err = rd_kafka_committed(handle.rk, all.list, kRequestTimeoutMs))
    throw std::runtime_error(
        failure(bus, "cannot read the offsets group " + durable + " committed: " + rd_kafka_err2str(err)));
  ConsumerState state;
  for (int i = 0; i < all.list->cnt; ++i) {
    const auto& partition = all.list->elems[i];
    const auto& end = ends[static_cast<std::size_t>(partition.partition)];
    // A partition the group never committed on is read from its start (auto.offset.reset).
    const bool committed = partition.err == RD_KAFKA_RESP_ERR_NO_ERROR && partition.offset >= 0;
    state.exists = state.exists || committed;
    const auto from = committed ? partition.offset : end.low;
    if (end.high > from) state.pending += static_cast<std::uint64_t>(end.high - from);
  }
  return state;
}

void forget_consumer(const BusEndpoint& bus, const std::string& durable) {
  Handle handle(bus, durable);
  const auto ends = watermarks(handle.rk, bus);
  {
    KafkaPartitions topic(1);
    topic.add(bus.stream, RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(handle.rk, topic.list))
      throw std::runtime_error(failure(bus, "cannot join group " + durable + ": " + rd_kafka_err2str(err)));
  }
  // Joined, the group's partitions are all ours unless another member (a running service)
  // holds some. Kafka's simple commit without joining would do on a real broker when the group
  // is empty, but the mock broker refuses it for any group that ever had a member.
  int held = 0;
  const auto deadline = std::chrono::steady_clock::now() + kJoinWait;
  for (;;) {
    if (rd_kafka_message_t* message = rd_kafka_consumer_poll(handle.rk, 100)) rd_kafka_message_destroy(message);
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (auto err = rd_kafka_assignment(handle.rk, &assignment))
      throw std::runtime_error(
          failure(bus, "cannot read group " + durable + "'s assignment: " + rd_kafka_err2str(err)));
    held = KafkaPartitions(assignment).list->cnt;
    if (held > 0) break;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(failure(bus, "group " + durable + " gave no partition of " + bus.stream + " within " +
                                                std::to_string(kJoinWait.count()) + " s"));
  }
  if (held < static_cast<int>(ends.size()))
    throw std::runtime_error("the " + durable + " service still consumes topic " + bus.stream + " at " + bus.where() +
                             " (group " + durable + " has another member): stop it first");
  KafkaPartitions starts(static_cast<int>(ends.size()));
  for (std::size_t p = 0; p < ends.size(); ++p)
    starts.add(bus.stream, static_cast<std::int32_t>(p)).offset = ends[p].low;
  // Leaving the group (the handle's destruction) keeps what was committed.
  if (auto err = rd_kafka_commit(handle.rk, starts.list, 0))
    throw std::runtime_error(
        failure(bus, "cannot set group " + durable + "'s offsets back to the start: " + rd_kafka_err2str(err)));
}

}  // namespace kafka_inspection

}  // namespace platform
