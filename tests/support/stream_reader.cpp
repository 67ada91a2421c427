#include "support/stream_reader.hpp"

#include <nats/nats.h>

#include <boost/json.hpp>
#include <stdexcept>

namespace fd::test {

namespace {
void check(natsStatus status, const char* what) {
  if (status != NATS_OK) throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(status));
}
}  // namespace

std::vector<StoredEvent> read_stream(const std::string& nats_url, const std::string& stream) {
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  natsSubscription* subscription = nullptr;
  std::vector<StoredEvent> events;
  try {
    check(natsConnection_ConnectTo(&connection, nats_url.c_str()), "connect to NATS");
    check(natsConnection_JetStream(&js, connection, nullptr), "JetStream context");
    check(js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr), "stream info");
    auto stored = info->State.Msgs;
    if (stored > 0) {
      jsSubOptions options;
      jsSubOptions_Init(&options);
      options.Stream = stream.c_str();
      options.Ordered = true;
      options.Config.DeliverPolicy = js_DeliverAll;
      check(js_SubscribeSync(&subscription, js, ">", nullptr, &options, nullptr), "subscribe");
      while (events.size() < stored) {
        natsMsg* message = nullptr;
        check(natsSubscription_NextMsg(&message, subscription, 5000), "read stored event");
        StoredEvent event;
        const char* value = nullptr;
        if (natsMsgHeader_Get(message, "type", &value) == NATS_OK) event.type = value;
        if (natsMsgHeader_Get(message, "Nats-Msg-Id", &value) == NATS_OK) event.id = value;
        event.body = boost::json::parse(std::string(natsMsg_GetData(message), natsMsg_GetDataLength(message))).as_object();
        natsMsg_Destroy(message);
        events.push_back(std::move(event));
      }
    }
  } catch (...) {
    natsSubscription_Destroy(subscription);
    jsStreamInfo_Destroy(info);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
    throw;
  }
  natsSubscription_Destroy(subscription);
  jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return events;
}

namespace {
// A JetStream context for one call; cleaned up on scope exit.
struct JetStream {
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  explicit JetStream(const std::string& url) {
    try {
      check(natsConnection_ConnectTo(&connection, url.c_str()), "connect to NATS");
      check(natsConnection_JetStream(&js, connection, nullptr), "JetStream context");
    } catch (...) {
      natsConnection_Destroy(connection);
      throw;
    }
  }
  ~JetStream() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
  }
};
}  // namespace

bool consumer_caught_up(const std::string& nats_url, const std::string& durable, const std::string& stream) {
  JetStream jet(nats_url);
  jsConsumerInfo* info = nullptr;
  if (js_GetConsumerInfo(&info, jet.js, stream.c_str(), durable.c_str(), nullptr, nullptr) != NATS_OK) return false;
  bool done = info->NumPending == 0 && info->NumAckPending == 0 && info->Delivered.Stream > 0;
  jsConsumerInfo_Destroy(info);
  return done;
}

int count_events(const std::vector<StoredEvent>& events, const std::string& type, std::int64_t order_id) {
  int count = 0;
  for (const auto& event : events) {
    auto* id = event.body.if_contains("orderId");
    if (event.type == type && id && id->is_int64() && id->get_int64() == order_id) ++count;
  }
  return count;
}

}  // namespace fd::test
