// The JetStream connection, its callbacks, publishing and deliveries; the stream and
// consumer setup is in jetstream_setup.cpp.
#include "jetstream_bus.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "consumer.hpp"
#include "platform/bus_access.hpp"
#include "platform/log.hpp"
#include "platform/nats_options.hpp"

namespace platform {

namespace {

constexpr std::int64_t kPublishAckWaitMs = 5000;  // how long the relay waits for JetStream's acks
constexpr std::int64_t kJsApiWaitMs = 3000;       // stream/consumer management requests
// The consumer's thread looks at whether it is being stopped this often while nothing comes.
constexpr std::int64_t kNextMessageWaitMs = 100;

// Callbacks carry a token; the bus is looked up under the lock and removed before the
// connection is destroyed.
struct Registry {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, JetStreamBus*> live;
  std::uint64_t next = 1;
};

Registry& registry() {
  static auto* instance = new Registry;  // never destroyed: callbacks may run during exit
  return *instance;
}

}  // namespace

template <class F>
void JetStreamBus::with_self(void* closure, F&& f) {
  auto token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(closure));
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (auto it = r.live.find(token); it != r.live.end()) f(*it->second);
}

namespace {

// libnats tries a taken lock 2 000 times before it sleeps (nats_Open's default). Here the
// services, nats-server and nginx share two cores, and the spinning thread holds the core the
// lock's owner needs: without it, 16 orders in flight went 1-7 % faster and one in flight no
// slower (bench/README). It must come before the process's first libnats call, which would
// open the library with the default; later calls change nothing.
void open_libnats_without_spinning() {
  static const natsStatus opened = nats_Open(0);
  (void)opened;
}

// The server of the list a connection went to, without the password its URL may carry.
std::string server_of(natsConnection* connection) {
  char url[256] = "";
  return natsConnection_GetConnectedUrl(connection, url, sizeof url) == NATS_OK ? NatsEndpoint(url).where() : "";
}

}  // namespace

void JetStreamBus::on_connected(natsConnection* connection, void* closure) {
  with_self(closure, [connection](JetStreamBus& self) {
    log::info("NATS connected", {{"url", self.options_.nats.where()}, {"server", server_of(connection)}});
    self.reachable_();
  });
}

void JetStreamBus::on_disconnected(natsConnection*, void* closure) {
  with_self(closure, [](JetStreamBus& self) {
    log::warn("NATS disconnected; events wait in the outbox until it is back", {{"url", self.options_.nats.where()}});
  });
}

void JetStreamBus::on_reconnected(natsConnection* connection, void* closure) {
  with_self(closure, [connection](JetStreamBus& self) {
    log::info("NATS reconnected", {{"url", self.options_.nats.where()}, {"server", server_of(connection)}});
    self.reachable_();
  });
}

// Only for a connection libnats gives up on (close() unregisters first): with endless
// reconnects, that is one whose every server refused its login.
void JetStreamBus::on_closed(natsConnection* connection, void* closure) {
  with_self(closure, [connection](JetStreamBus& self) {
    const char* detail = nullptr;
    natsConnection_GetLastError(connection, &detail);
    log::error("NATS closed the connection for good: it refuses this service's identity, or its password "
               "(FD_NATS_USER, FD_NATS_PASSWORD); events wait in the outbox until the service is restarted "
               "with the right ones",
               {{"url", self.options_.nats.where()},
                {"identity", self.options_.nats.identity()},
                {"error", detail ? detail : ""}});
  });
}

// A permissions violation names the subject: the identity may not publish or subscribe
// there (bus_access.cpp says what it may).
void JetStreamBus::on_async_error(natsConnection* connection, natsSubscription*, natsStatus err, void* closure) {
  with_self(closure, [connection, err](JetStreamBus& self) {
    const char* detail = nullptr;
    natsConnection_GetLastError(connection, &detail);
    std::string error = natsStatus_GetText(err);
    if (detail && *detail && error != detail) error += std::string(": ") + detail;
    (err == NATS_NOT_PERMITTED ? log::error : log::warn)(
        "NATS asynchronous error",
        {{"url", self.options_.nats.where()}, {"identity", self.options_.nats.identity()}, {"error", error}});
  });
}

void JetStreamBus::on_publish_error(jsCtx*, jsPubAckErr* pae, void* closure) {
  with_self(closure, [pae](JetStreamBus& self) {
    const char* id = nullptr;
    if (pae->Msg) natsMsgHeader_Get(pae->Msg, "Nats-Msg-Id", &id);
    std::lock_guard lock(self.publish_mutex_);
    self.failed_ids_.insert(id ? id : "");
    if (pae->Err == NATS_NO_RESPONDERS || pae->ErrCode == JSStreamNotFoundErr) self.stream_missing_ = true;
    if (self.publish_error_.empty()) {
      self.publish_error_ = natsStatus_GetText(pae->Err);
      if (pae->ErrText && *pae->ErrText && self.publish_error_ != pae->ErrText)
        self.publish_error_ += std::string(": ") + pae->ErrText;
    }
  });
}

// ---------------------------------------------------------------------------------------

JetStreamBus::JetStreamBus(MessagingOptions options) : options_(std::move(options)) {}

JetStreamBus::~JetStreamBus() { close(); }

void JetStreamBus::subscribe(ConsumerSpec consumer, DeliveryHandler handler) {
  if (consumer.durable.find_first_of(".*> \t") != std::string::npos)
    throw std::invalid_argument("durable name '" + consumer.durable + "' may not contain '.', '*', '>' or spaces");
  consumer_ = std::move(consumer);
  handler_ = std::move(handler);
}

void JetStreamBus::connect(std::function<void()> reachable) {
  reachable_ = std::move(reachable);
  open_libnats_without_spinning();
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    token_ = r.next++;
    r.live.emplace(token_, this);
  }

  natsStatus s = natsOptions_Create(&nats_options_);
  if (s == NATS_OK) s = use_endpoint(nats_options_, options_.nats);
  if (s == NATS_OK && !options_.durable.empty()) s = natsOptions_SetName(nats_options_, options_.durable.c_str());
  if (s == NATS_OK) s = natsOptions_SetSendAsap(nats_options_, true);  // no 1 ms flusher delay per hop
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(nats_options_, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(nats_options_, 250);
  if (s == NATS_OK) s = natsOptions_SetReconnectJitter(nats_options_, 50, 250);
  if (s == NATS_OK) s = natsOptions_SetTimeout(nats_options_, 2000);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(nats_options_, 5000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(nats_options_, 3);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(nats_options_, on_disconnected, closure());
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(nats_options_, on_reconnected, closure());
  if (s == NATS_OK) s = natsOptions_SetClosedCB(nats_options_, on_closed, closure());
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(nats_options_, on_async_error, closure());
  if (s != NATS_OK) {
    std::string error = nats_error(s);
    close();
    throw std::runtime_error("cannot configure NATS options: " + error);
  }

  // First without retrying, so that a refused login stops the start with its reason:
  // retried in the background, libnats would give up on it without saying why.
  natsConnection* conn = nullptr;
  s = natsConnection_Connect(&conn, nats_options_);
  if (s != NATS_OK && s != NATS_CONNECTION_AUTH_FAILED) {
    s = natsOptions_SetRetryOnFailedConnect(nats_options_, true, on_connected, closure());
    if (s == NATS_OK) s = natsConnection_Connect(&conn, nats_options_);
  }
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    std::string error = connect_error(s, options_.nats);
    natsConnection_Destroy(conn);
    close();
    throw std::runtime_error(error);
  }
  if (s == NATS_NOT_YET_CONNECTED)
    log::warn("NATS unavailable; retrying in the background, events wait in the outbox", {{"url", options_.nats.where()}});

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = kJsApiWaitMs;
  jo.PublishAsync.ErrHandler = on_publish_error;
  jo.PublishAsync.ErrHandlerClosure = closure();
  s = natsConnection_JetStream(&js_, conn, &jo);
  {
    std::lock_guard lock(connection_mutex_);
    nc_ = conn;
  }
  if (s != NATS_OK) {
    std::string error = nats_error(s);
    close();
    throw std::runtime_error("cannot create JetStream context: " + error);
  }

  if (connected()) set_up_at_start();
}

bool JetStreamBus::connected() const {
  std::lock_guard lock(connection_mutex_);
  return nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

void JetStreamBus::close() {
  close_subscription();
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.live.erase(token_);
  }
  if (js_) {
    // No publish is in flight: publish() always ends with every ack received or abandoned.
    jsCtx_Destroy(js_);
    js_ = nullptr;
  }
  natsConnection* conn = nullptr;
  {
    std::lock_guard lock(connection_mutex_);
    std::swap(conn, nc_);
  }
  if (conn) natsConnection_Destroy(conn);  // closes
  if (nats_options_) {
    natsOptions_Destroy(nats_options_);
    nats_options_ = nullptr;
  }
}

// ---------------------------------------------------------------------------------------

PublishResult JetStreamBus::publish(const std::vector<OutgoingMessage>& batch) {
  {
    std::lock_guard lock(publish_mutex_);
    failed_ids_.clear();
    stream_missing_ = false;
    publish_error_.clear();
  }
  std::size_t sent = 0;
  for (const auto& message : batch) {
    std::string subject = event_subject(options_.subject_prefix, message.type);
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, message.body.data(),
                                  static_cast<int>(message.body.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "type", message.type.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", message.id.c_str());
    if (s == NATS_OK && !message.traceparent.empty())
      s = natsMsgHeader_Set(msg, "traceparent", message.traceparent.c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(js_, &msg, nullptr);
    natsMsg_Destroy(msg);  // no-op when the library took it
    if (s != NATS_OK) {
      std::lock_guard lock(publish_mutex_);
      if (publish_error_.empty()) publish_error_ = nats_error(s);
      break;
    }
    ++sent;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = kPublishAckWaitMs;
  natsStatus s = js_PublishAsyncComplete(js_, &po);
  // (js_PublishAsyncGetPendingList crashes in cnats 3.4 before the first async publish.)
  if (s != NATS_OK && sent > 0) {
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) {
      std::lock_guard lock(publish_mutex_);
      for (int i = 0; i < pending.Count; ++i) {
        const char* id = nullptr;
        if (pending.Msgs[i] && natsMsgHeader_Get(pending.Msgs[i], "Nats-Msg-Id", &id) == NATS_OK && id)
          failed_ids_.insert(id);
      }
      if (publish_error_.empty()) publish_error_ = "timed out waiting for JetStream acknowledgements";
      natsMsgList_Destroy(&pending);
    }
  }
  std::lock_guard lock(publish_mutex_);
  PublishResult result;
  while (result.acknowledged < sent && !failed_ids_.contains(batch[result.acknowledged].id)) ++result.acknowledged;
  if (result.acknowledged < batch.size()) {
    result.error = publish_error_.empty() ? "no acknowledgement from JetStream" : publish_error_;
    if (stream_missing_) stream_ready_ = false;
  }
  return result;
}

// ---------------------------------------------------------------------------------------

// The subscription is synchronous so that this thread can take, after one message, whatever
// else has arrived meanwhile and hand it all to the handler at once (one transaction for the
// batch, consumer.cpp). It ends when the subscription is closed or drained.
void JetStreamBus::take_deliveries(natsSubscription* sub) {
  std::vector<natsMsg*> batch;
  while (true) {
    natsMsg* first = nullptr;
    natsStatus s = natsSubscription_NextMsg(&first, sub, kNextMessageWaitMs);
    if (s == NATS_TIMEOUT) {
      if (closing_) break;
      continue;
    }
    if (s == NATS_SLOW_CONSUMER) continue;  // said once; what came after is still there
    if (s != NATS_OK) {                     // closed, or drained to the end
      if (!closing_)
        log::warn("JetStream subscription ended; it is made again at the next check",
                  {{"durable", consumer_->durable}, {"error", nats_error(s)}});
      break;
    }
    batch.assign(1, first);
    natsMsg* next = nullptr;
    while (batch.size() < kMaxDeliveryBatch && natsSubscription_NextMsg(&next, sub, 0) == NATS_OK) batch.push_back(next);
    deliver(batch);
    for (natsMsg* msg : batch) natsMsg_Destroy(msg);
  }
  delivering_ = false;
}

void JetStreamBus::deliver(const std::vector<natsMsg*>& messages) {
  std::vector<Delivery> deliveries(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    natsMsg* msg = messages[i];
    Delivery& delivery = deliveries[i];
    if (const char* subject = natsMsg_GetSubject(msg)) delivery.type = subject_type(options_.subject_prefix, subject);
    const char* header = nullptr;
    if (natsMsgHeader_Get(msg, "type", &header) == NATS_OK && header) delivery.header_type = header;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &header) == NATS_OK && header && *header) delivery.id = header;
    const char** keys = nullptr;
    int count = 0;
    if (natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK) {
      for (int k = 0; k < count; ++k)
        if (natsMsgHeader_Get(msg, keys[k], &header) == NATS_OK && header) delivery.headers.emplace_back(keys[k], header);
      free(static_cast<void*>(keys));
    }
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      delivery.attempt = meta->NumDelivered;
      if (delivery.id.empty()) delivery.id = std::to_string(meta->Sequence.Stream);
      note_consumer_lag(0, meta->NumPending);
      jsMsgMetaData_Destroy(meta);
    }
    delivery.body = std::string_view(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  }

  const std::vector<Verdict> verdicts = handler_(deliveries);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    switch (verdicts.at(i).kind) {
      case Verdict::Kind::Ack:
        natsMsg_Ack(messages[i], nullptr);
        break;
      case Verdict::Kind::Nak:
        natsMsg_NakWithDelay(messages[i], verdicts[i].delay.count(), nullptr);
        break;
    }
  }
}

}  // namespace platform
