// Looking at the bus from outside (the chaos checker, tests, a read model's rebuild): the
// JetStream side, each call on its own short-lived connection, and the choice of the broker
// (Kafka's side: kafka_inspection.cpp).
#include <nats/nats.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "kafka_inspection.hpp"
#include "platform/messaging.hpp"
#include "platform/nats_options.hpp"

namespace platform {

namespace {

// A server notices a killed consumer's closed connection a moment after the process is gone.
constexpr auto kUnbindWait = std::chrono::seconds(3);

void check(natsStatus status, const std::string& what) {
  if (status != NATS_OK) throw std::runtime_error(what + ": " + nats_error(status));
}

struct Connection {
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  explicit Connection(const NatsEndpoint& endpoint) {
    natsOptions* options = nullptr;
    natsStatus status = natsOptions_Create(&options);
    if (status == NATS_OK) status = use_endpoint(options, endpoint);
    if (status == NATS_OK) status = natsConnection_Connect(&connection, options);
    natsOptions_Destroy(options);
    if (status != NATS_OK) throw std::runtime_error(connect_error(status, endpoint));
    if (status = natsConnection_JetStream(&js, connection, nullptr); status != NATS_OK) {
      natsConnection_Destroy(connection);
      check(status, "no JetStream at " + endpoint.where());
    }
  }
  ~Connection() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
  }
};

// The stream's state and configuration, as the endpoint's identity may read them.
std::unique_ptr<jsStreamInfo, void (*)(jsStreamInfo*)> stream_info(const Connection& nats, const NatsEndpoint& endpoint,
                                                                   const std::string& stream) {
  jsStreamInfo* info = nullptr;
  check(js_GetStreamInfo(&info, nats.js, stream.c_str(), nullptr, nullptr),
        "cannot read stream " + stream + " at " + endpoint.where());
  return {info, jsStreamInfo_Destroy};
}

void forget_jetstream_consumer(const NatsEndpoint& endpoint, const std::string& stream, const std::string& durable) {
  Connection nats(endpoint);
  auto deadline = std::chrono::steady_clock::now() + kUnbindWait;
  for (;;) {
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    auto status = js_GetConsumerInfo(&info, nats.js, stream.c_str(), durable.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr) return;
    check(status, "cannot read consumer " + durable + " of stream " + stream + " at " + endpoint.where());
    bool bound = info->PushBound;
    jsConsumerInfo_Destroy(info);
    if (!bound) break;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the " + durable + " service still consumes the stream: stop it first");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_DeleteConsumer(nats.js, stream.c_str(), durable.c_str(), nullptr, &code);
  if (code == JSConsumerNotFoundErr) return;
  check(status, "cannot delete consumer " + durable + " of stream " + stream + " at " + endpoint.where());
}

StreamMark jetstream_mark(const NatsEndpoint& endpoint, const std::string& stream) {
  Connection nats(endpoint);
  auto info = stream_info(nats, endpoint, stream);
  StreamMark mark;
  mark.last[0] = static_cast<std::int64_t>(info->State.LastSeq);
  return mark;
}

std::vector<StoredEvent> read_jetstream(const NatsEndpoint& endpoint, const std::string& stream) {
  Connection nats(endpoint);
  auto info = stream_info(nats, endpoint, stream);
  std::uint64_t last = info->State.LastSeq, stored = info->State.Msgs;
  info.reset();
  std::vector<StoredEvent> events;
  if (stored == 0) return events;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Ordered = true;
  options.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* subscription = nullptr;
  check(js_SubscribeSync(&subscription, nats.js, ">", nullptr, &options, nullptr),
        "cannot read stream " + stream + " at " + endpoint.where());
  std::unique_ptr<natsSubscription, void (*)(natsSubscription*)> owned(subscription, natsSubscription_Destroy);
  for (;;) {
    natsMsg* message = nullptr;
    check(natsSubscription_NextMsg(&message, subscription, 10000),
          "cannot read a stored event of " + stream + " at " + endpoint.where());
    std::unique_ptr<natsMsg, void (*)(natsMsg*)> held(message, natsMsg_Destroy);
    StoredEvent event;
    const char* value = nullptr;
    if (natsMsgHeader_Get(message, "type", &value) == NATS_OK && value) event.type = value;
    if (natsMsgHeader_Get(message, "Nats-Msg-Id", &value) == NATS_OK && value) event.id = value;
    if (natsMsgHeader_Get(message, "traceparent", &value) == NATS_OK && value) event.traceparent = value;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, message) == NATS_OK) {
      event.seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    boost::system::error_code ec;
    auto body = boost::json::parse(
        std::string_view(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message))), ec);
    if (!ec && body.is_object()) event.body = std::move(body.as_object());
    events.push_back(std::move(event));
    if (events.back().seq >= last) break;
  }
  natsSubscription_Unsubscribe(subscription);
  return events;
}

ConsumerState jetstream_consumer_state(const NatsEndpoint& endpoint, const std::string& durable,
                                       const std::string& stream) {
  Connection nats(endpoint);
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_GetConsumerInfo(&info, nats.js, stream.c_str(), durable.c_str(), nullptr, &code);
  if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr) return {};
  check(status, "cannot read consumer " + durable + " of stream " + stream + " at " + endpoint.where());
  ConsumerState state{true, info->NumPending, static_cast<std::uint64_t>(info->NumAckPending),
                      info->Delivered.Stream, info->PushBound, 1 + (info->Cluster ? info->Cluster->ReplicasLen : 0)};
  jsConsumerInfo_Destroy(info);
  return state;
}

}  // namespace

BusEndpoint::BusEndpoint(std::string url) {
  if (url.starts_with("kafka://")) bus_url = std::move(url);
  else nats.url = std::move(url);
}

BusEndpoint BusEndpoint::from(const Config& config) { return {config.get("BUS_URL", ""), NatsEndpoint::from(config)}; }

std::string BusEndpoint::where() const { return kafka() ? bus_url : nats.where(); }

bool StreamMark::includes(const StoredEvent& event) const {
  auto partition = last.find(event.partition);
  return partition != last.end() && static_cast<std::int64_t>(event.seq) <= partition->second;
}

std::vector<StoredEvent> read_stream(const BusEndpoint& bus) {
  return bus.kafka() ? kafka_inspection::read_stream(bus) : read_jetstream(bus.nats, bus.stream);
}

StreamMark stream_mark(const BusEndpoint& bus) {
  return bus.kafka() ? kafka_inspection::stream_mark(bus) : jetstream_mark(bus.nats, bus.stream);
}

ConsumerState consumer_state(const BusEndpoint& bus, const std::string& durable) {
  return bus.kafka() ? kafka_inspection::consumer_state(bus, durable)
                     : jetstream_consumer_state(bus.nats, durable, bus.stream);
}

void forget_consumer(const BusEndpoint& bus, const std::string& durable) {
  if (bus.kafka()) kafka_inspection::forget_consumer(bus, durable);
  else forget_jetstream_consumer(bus.nats, bus.stream, durable);
}

StreamPeers stream_peers(const NatsEndpoint& endpoint, const std::string& stream) {
  Connection nats(endpoint);
  auto info = stream_info(nats, endpoint, stream);
  StreamPeers peers;
  peers.replicas = info->Config ? info->Config->Replicas : 0;
  if (const auto* cluster = info->Cluster) {
    peers.leader = cluster->Leader ? cluster->Leader : "";
    for (int i = 0; i < cluster->ReplicasLen; ++i)
      if (const auto* peer = cluster->Replicas[i]; peer && peer->Name) peers.followers[peer->Name] = peer->Current;
  }
  return peers;
}

}  // namespace platform
