// The bus: transactional outbox -> relay -> JetStream, and a durable push consumer whose
// effects are de-duplicated by an inbox written in the same transaction as the effect.
//
// Threads:
//  - the relay thread (ours): woken by Db::on_commit or every relay_poll; also sets up the
//    stream and the consumer once NATS is reachable;
//  - the subscription's delivery thread (libnats): runs reactions one message at a time;
//  - libnats' own threads (reader, flusher, async callbacks).
// libnats may invoke connection callbacks after the connection is destroyed, so those
// callbacks reach the Impl through a registry keyed by a token, never by a raw pointer.
#include "platform/messaging.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <memory>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "platform/clock.hpp"
#include "platform/json_text.hpp"
#include "platform/log.hpp"

namespace platform {

namespace {

constexpr std::size_t kRelayBatch = 256;
constexpr std::int64_t kPublishAckWaitMs = 5000;  // how long the relay waits for JetStream's acks
constexpr std::int64_t kJsApiWaitMs = 3000;       // stream/consumer management requests
// A reaction takes well under a millisecond; what a killed service held unacknowledged comes
// back after this long.
constexpr std::int64_t kAckWaitNs = 5'000'000'000;  // consumer AckWait
constexpr std::int64_t kMaxAckPending = 512;
constexpr std::int64_t kNakDelayMs = 500;         // first redelivery delay after a failed reaction
constexpr std::int64_t kNakDelayMaxMs = 30'000;
constexpr auto kBackoffMin = std::chrono::milliseconds(250);
constexpr auto kBackoffMax = std::chrono::milliseconds(5000);
constexpr auto kSubscriptionCloseWait = std::chrono::seconds(10);
constexpr auto kVerifyEvery = std::chrono::seconds(5);  // re-check that stream and consumer still exist
constexpr std::size_t kMaxBody = 1'000'000;             // nats-server's max_payload is 1 MiB by default

// "<status text>: <detail>", without libnats' "(file.c:123): " prefix or a repeated status text.
std::string nats_error(natsStatus status) {
  natsStatus last = NATS_OK;
  const char* raw = nats_GetLastError(&last);
  std::string out = natsStatus_GetText(status);
  std::string detail = raw ? raw : "";
  if (detail.starts_with("(")) {
    if (auto end = detail.find("): "); end != std::string::npos) detail.erase(0, end + 3);
  }
  if (!detail.empty() && detail != out) out += ": " + detail;
  return out;
}

void validate_event_type(const std::string& type) {
  if (type.empty()) throw std::invalid_argument("event type is empty");
  for (char c : type)
    if (c == '.' || c == '*' || c == '>' || c <= ' ' || c == 0x7f)
      throw std::invalid_argument("event type '" + type + "' is not a valid NATS subject token");
}

}  // namespace

void migrate_messaging(Db& db) {
  db.script(
      "CREATE TABLE IF NOT EXISTS fd_outbox ("
      " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
      " id TEXT NOT NULL UNIQUE,"
      " type TEXT NOT NULL,"
      " order_id TEXT,"
      " body TEXT NOT NULL,"
      " created_at INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS fd_inbox ("
      " id TEXT PRIMARY KEY,"
      " type TEXT,"
      " processed_at INTEGER NOT NULL);");
}

void append_events(Db& tx, const std::vector<Event>& events) {
  const std::int64_t now = now_ms();
  for (const auto& event : events) {
    validate_event_type(event.type);
    // eventType and timestamp first, as the seeds' AbstractEvent serialises them.
    boost::json::object body;
    body.reserve(event.body.size() + 2);
    body.emplace("eventType", event.type);
    body.emplace("timestamp", now);
    for (const auto& field : event.body)
      if (field.key() != "eventType" && field.key() != "timestamp") body.emplace(field.key(), field.value());
    std::string text = to_json(body);
    if (text.size() > kMaxBody)
      throw std::length_error("event " + event.type + " is " + std::to_string(text.size()) +
                              " bytes; NATS accepts at most " + std::to_string(kMaxBody));
    std::string order_id = event.order_id();
    tx.exec("INSERT INTO fd_outbox(id, type, order_id, body, created_at) VALUES(?, ?, ?, ?, ?)",
            {new_id(), event.type, order_id.empty() ? Value{nullptr} : Value{std::move(order_id)},
             std::move(text), now});
  }
}

// ---------------------------------------------------------------------------------------

namespace {

// Shared with the Db's commit listener, which may outlive the Messaging object.
struct Wake {
  std::mutex mutex;
  std::condition_variable cv;
  bool pending = false;
  bool stopping = false;
  std::atomic<std::thread::id> relay_thread{};

  void notify() {
    {
      std::lock_guard lock(mutex);
      pending = true;
    }
    cv.notify_one();
  }
};

}  // namespace

struct Messaging::Impl {
  Impl(Db& db_, MessagingOptions options_) : db(db_), options(std::move(options_)), wake(std::make_shared<Wake>()) {}

  Db& db;
  MessagingOptions options;
  std::map<std::string, Reaction> reactions;
  std::shared_ptr<Wake> wake;
  std::uint64_t token = 0;

  mutable std::mutex connection_mutex;  // guards nc against stop() while connected() reads it
  natsOptions* nats_options = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;

  std::thread relay;
  bool started = false;
  bool stopped = false;

  // Set up state (relay thread only after start()).
  bool stream_ready = false;
  std::chrono::steady_clock::time_point next_verify{};
  std::chrono::steady_clock::time_point next_consumer_attempt{};
  std::chrono::milliseconds consumer_backoff = kBackoffMin;
  bool relay_outage_logged = false;
  bool setup_outage_logged = false;

  // Publish acknowledgement failures reported by libnats for the batch in flight.
  std::mutex publish_mutex;
  std::unordered_set<std::string> failed_ids;
  bool stream_missing = false;
  std::string publish_error;

  // Subscription close handshake.
  std::mutex sub_mutex;
  std::condition_variable sub_cv;
  bool sub_complete = false;

  std::string subject_all() const { return options.subject_prefix + ">"; }
  // What the consumer receives: a service reacting to one event type only (auth: logouts)
  // is not sent the whole stream to acknowledge. NATS 2.9 filters on one subject at most.
  std::string consumed_subject() const {
    return reactions.size() == 1 ? options.subject_prefix + reactions.begin()->first : subject_all();
  }

  bool is_connected() const {
    std::lock_guard lock(connection_mutex);
    return nc != nullptr && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
  }

  void start(std::map<std::string, Reaction> given);
  void stop();
  void relay_main();
  enum class RelayResult { Idle, NotConnected, Failed };
  RelayResult relay_once();
  std::size_t publish(const std::vector<Row>& rows);
  bool ensure_ready(std::string& error, bool verify = false);
  bool consumer_missing();
  bool ensure_stream(bool& created, std::string& error);
  bool ensure_consumer(std::string& error);
  bool subscribe(std::string& error);
  void close_subscription();
  void handle(natsMsg* msg);

  template <class F>
  static void with_self(void* closure, F&& f);
  static void on_connected(natsConnection*, void* closure);
  static void on_disconnected(natsConnection*, void* closure);
  static void on_reconnected(natsConnection*, void* closure);
  static void on_async_error(natsConnection*, natsSubscription*, natsStatus err, void* closure);
  static void on_publish_error(jsCtx*, jsPubAckErr* pae, void* closure);
  static void on_subscription_complete(void* closure);
  static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
};

// ---------------------------------------------------------------------------------------
// Callback registry: libnats callbacks carry a token; the Impl is looked up under a lock and
// removed before the connection is destroyed.

namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, void*> live;
  std::uint64_t next = 1;
};

Registry& registry() {
  static auto* instance = new Registry;  // never destroyed: callbacks may run during exit
  return *instance;
}

void* as_closure(std::uint64_t token) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(token)); }

}  // namespace

template <class F>
void Messaging::Impl::with_self(void* closure, F&& f) {
  auto token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(closure));
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (auto it = r.live.find(token); it != r.live.end()) f(*static_cast<Impl*>(it->second));
}

void Messaging::Impl::on_connected(natsConnection*, void* closure) {
  with_self(closure, [](Impl& self) {
    log::info("NATS connected", {{"url", self.options.url}});
    self.wake->notify();
  });
}

void Messaging::Impl::on_disconnected(natsConnection*, void* closure) {
  with_self(closure, [](Impl& self) {
    log::warn("NATS disconnected; events wait in the outbox until it is back", {{"url", self.options.url}});
  });
}

void Messaging::Impl::on_reconnected(natsConnection*, void* closure) {
  with_self(closure, [](Impl& self) {
    log::info("NATS reconnected", {{"url", self.options.url}});
    self.wake->notify();
  });
}

void Messaging::Impl::on_async_error(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  with_self(closure, [err](Impl& self) {
    log::warn("NATS asynchronous error", {{"url", self.options.url}, {"error", natsStatus_GetText(err)}});
  });
}

void Messaging::Impl::on_publish_error(jsCtx*, jsPubAckErr* pae, void* closure) {
  with_self(closure, [pae](Impl& self) {
    const char* id = nullptr;
    if (pae->Msg) natsMsgHeader_Get(pae->Msg, "Nats-Msg-Id", &id);
    std::lock_guard lock(self.publish_mutex);
    self.failed_ids.insert(id ? id : "");
    if (pae->Err == NATS_NO_RESPONDERS || pae->ErrCode == JSStreamNotFoundErr) self.stream_missing = true;
    if (self.publish_error.empty()) {
      self.publish_error = natsStatus_GetText(pae->Err);
      if (pae->ErrText && *pae->ErrText && self.publish_error != pae->ErrText)
        self.publish_error += std::string(": ") + pae->ErrText;
    }
  });
}

void Messaging::Impl::on_subscription_complete(void* closure) {
  with_self(closure, [](Impl& self) {
    {
      std::lock_guard lock(self.sub_mutex);
      self.sub_complete = true;
    }
    self.sub_cv.notify_all();
  });
}

void Messaging::Impl::on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  // The Impl outlives the subscription: stop() waits for on_subscription_complete.
  static_cast<Impl*>(closure)->handle(msg);
  natsMsg_Destroy(msg);
}

// ---------------------------------------------------------------------------------------

void Messaging::Impl::start(std::map<std::string, Reaction> given) {
  if (started) throw std::logic_error("Messaging::start called twice");
  if (!given.empty()) {
    if (options.durable.empty()) throw std::invalid_argument("MessagingOptions.durable is required to consume events");
    if (options.durable.find_first_of(".*> \t") != std::string::npos)
      throw std::invalid_argument("durable name '" + options.durable + "' may not contain '.', '*', '>' or spaces");
  }
  reactions = std::move(given);
  migrate_messaging(db);

  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    token = r.next++;
    r.live.emplace(token, this);
  }

  natsStatus s = natsOptions_Create(&nats_options);
  if (s == NATS_OK) s = natsOptions_SetURL(nats_options, options.url.c_str());
  if (s == NATS_OK && !options.durable.empty()) s = natsOptions_SetName(nats_options, options.durable.c_str());
  if (s == NATS_OK) s = natsOptions_SetSendAsap(nats_options, true);  // no 1 ms flusher delay per hop
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(nats_options, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(nats_options, 250);
  if (s == NATS_OK) s = natsOptions_SetReconnectJitter(nats_options, 50, 250);
  if (s == NATS_OK) s = natsOptions_SetTimeout(nats_options, 2000);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(nats_options, 5000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(nats_options, 3);
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(nats_options, true, on_connected, as_closure(token));
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(nats_options, on_disconnected, as_closure(token));
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(nats_options, on_reconnected, as_closure(token));
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(nats_options, on_async_error, as_closure(token));
  if (s != NATS_OK) {
    std::string error = nats_error(s);
    stop();
    throw std::runtime_error("cannot configure NATS options: " + error);
  }

  natsConnection* conn = nullptr;
  s = natsConnection_Connect(&conn, nats_options);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    std::string error = nats_error(s);
    natsConnection_Destroy(conn);
    stop();
    throw std::runtime_error("cannot connect to NATS at " + options.url + ": " + error);
  }
  if (s == NATS_NOT_YET_CONNECTED)
    log::warn("NATS unavailable; retrying in the background, events wait in the outbox", {{"url", options.url}});

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = kJsApiWaitMs;
  jo.PublishAsync.ErrHandler = on_publish_error;
  jo.PublishAsync.ErrHandlerClosure = as_closure(token);
  s = natsConnection_JetStream(&js, conn, &jo);
  {
    std::lock_guard lock(connection_mutex);
    nc = conn;
  }
  started = true;
  if (s != NATS_OK) {
    std::string error = nats_error(s);
    stop();
    throw std::runtime_error("cannot create JetStream context: " + error);
  }

  // Set up now when NATS is there, so the consumer exists when start() returns.
  if (is_connected()) {
    std::string error;
    next_verify = std::chrono::steady_clock::now() + kVerifyEvery;
    if (!ensure_ready(error)) {
      log::warn("JetStream setup failed; retrying in the background", {{"stream", options.stream}, {"error", error}});
      setup_outage_logged = true;
    }
  }

  db.on_commit([wake = wake] {
    if (std::this_thread::get_id() == wake->relay_thread.load()) return;  // the relay's own deletes
    wake->notify();
  });
  relay = std::thread([this] { relay_main(); });
  log::info("messaging started", {{"url", options.url},
                                  {"stream", options.stream},
                                  {"durable", options.durable.empty() ? "-" : options.durable}});
}

void Messaging::Impl::stop() {
  if (stopped) return;
  stopped = true;
  {
    std::lock_guard lock(wake->mutex);
    wake->stopping = true;
  }
  wake->cv.notify_all();
  if (relay.joinable()) relay.join();

  close_subscription();

  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.live.erase(token);
  }
  if (js) {
    // No publish is in flight: publish() always ends with every ack received or abandoned.
    jsCtx_Destroy(js);
    js = nullptr;
  }
  natsConnection* conn = nullptr;
  {
    std::lock_guard lock(connection_mutex);
    std::swap(conn, nc);
  }
  if (conn) natsConnection_Destroy(conn);  // closes
  if (nats_options) {
    natsOptions_Destroy(nats_options);
    nats_options = nullptr;
  }
  if (started) log::info("messaging stopped", {{"stream", options.stream}});
}

void Messaging::Impl::close_subscription() {
  if (!sub) return;
  // Drain when possible: messages already delivered to us are handled and acked instead of
  // waiting AckWait for a redelivery. The consumer was created explicitly, so neither drain
  // nor destroy deletes it.
  if (is_connected() && natsSubscription_Drain(sub) == NATS_OK)
    natsSubscription_WaitForDrainCompletion(sub, 5000);
  natsSubscription_Destroy(sub);
  sub = nullptr;
  std::unique_lock lock(sub_mutex);
  if (!sub_cv.wait_for(lock, kSubscriptionCloseWait, [&] { return sub_complete; }))
    log::error("NATS subscription did not close in time", {{"durable", options.durable}});
}

// ---------------------------------------------------------------------------------------
// Setup

bool Messaging::Impl::ensure_stream(bool& created, std::string& error) {
  created = false;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js, options.stream.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    return true;  // exists: left as it is
  }
  if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
    error = "stream info: " + nats_error(s);
    return false;
  }
  std::string subject = subject_all();
  const char* subjects[] = {subject.c_str()};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = options.stream.c_str();
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  jerr = static_cast<jsErrCode>(0);
  s = js_AddStream(&si, js, &cfg, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    created = true;
    log::info("JetStream stream created", {{"stream", options.stream}, {"subjects", subject}});
    return true;
  }
  if (jerr == JSStreamNameExistErr) return true;  // another service created it meanwhile
  error = "add stream: " + nats_error(s);
  return false;
}

bool Messaging::Impl::ensure_consumer(std::string& error) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js, options.stream.c_str(), options.durable.c_str(), nullptr, &jerr);
  std::string filter = consumed_subject();
  if (s == NATS_OK) {
    const char* existing = ci->Config && ci->Config->FilterSubject ? ci->Config->FilterSubject : "";
    bool same = filter == (*existing ? existing : subject_all());
    jsConsumerInfo_Destroy(ci);
    if (same) return true;
    // The service now reacts to other events than when its consumer was made: a new one
    // starts from the first event again, and the inbox keeps the past from a second effect.
    log::warn("JetStream consumer filters other events than this service needs; re-creating it",
              {{"durable", options.durable}, {"was", existing}, {"now", filter}});
    s = js_DeleteConsumer(js, options.stream.c_str(), options.durable.c_str(), nullptr, &jerr);
    if (s != NATS_OK) {
      error = "delete outdated consumer: " + nats_error(s);
      return false;
    }
    s = NATS_NOT_FOUND;
  }
  if (s != NATS_NOT_FOUND && jerr != JSConsumerNotFoundErr) {
    error = "consumer info: " + nats_error(s);
    return false;
  }
  // Created explicitly (not by js_Subscribe) so that unsubscribing or draining never deletes it.
  natsInbox* inbox = nullptr;
  natsInbox_Create(&inbox);
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = options.durable.c_str();
  cc.FilterSubject = filter.c_str();
  cc.DeliverSubject = inbox;
  cc.DeliverPolicy = js_DeliverAll;
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = kAckWaitNs;
  cc.MaxAckPending = kMaxAckPending;
  jerr = static_cast<jsErrCode>(0);
  s = js_AddConsumer(&ci, js, options.stream.c_str(), &cc, nullptr, &jerr);
  natsInbox_Destroy(inbox);
  if (s == NATS_OK) {
    jsConsumerInfo_Destroy(ci);
    log::info("JetStream consumer created", {{"stream", options.stream}, {"durable", options.durable}});
    return true;
  }
  if (jerr == JSConsumerNameExistErr || jerr == JSConsumerExistingActiveErr) return true;
  error = "add consumer: " + nats_error(s);
  return false;
}

bool Messaging::Impl::subscribe(std::string& error) {
  {
    std::lock_guard lock(sub_mutex);
    sub_complete = false;
  }
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options.stream.c_str();
  so.Consumer = options.durable.c_str();
  so.ManualAck = true;
  std::string subject = consumed_subject();
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsSubscription* created = nullptr;
  natsStatus s = js_Subscribe(&created, js, subject.c_str(), on_message, this, nullptr, &so, &jerr);
  if (s != NATS_OK) {
    error = "subscribe: " + nats_error(s);
    return false;
  }
  if (natsSubscription_SetOnCompleteCB(created, on_subscription_complete, as_closure(token)) != NATS_OK) {
    std::lock_guard lock(sub_mutex);
    sub_complete = true;  // already closed: nothing to wait for
  }
  sub = created;
  log::info("consuming events", {{"stream", options.stream}, {"durable", options.durable}});
  return true;
}

// Stream first (needed to publish), then the consumer. With verify, also notices a stream or
// consumer that disappeared (a server restarted without its store) and re-creates them.
bool Messaging::Impl::ensure_ready(std::string& error, bool verify) {
  bool created = false;
  if (!stream_ready || verify) {
    if (!ensure_stream(created, error)) {
      stream_ready = false;
      return false;
    }
    stream_ready = true;
  }
  if (reactions.empty()) return true;
  if (sub && (created || (verify && consumer_missing()))) {
    log::warn("JetStream consumer lost; re-creating it", {{"stream", options.stream}, {"durable", options.durable}});
    close_subscription();
  }
  if (sub) return true;
  // Retried on its own backoff: the relay runs on every commit and must not hammer the server.
  auto now = std::chrono::steady_clock::now();
  if (now < next_consumer_attempt) {
    error = "consumer setup retried later";
    return false;
  }
  if (ensure_consumer(error) && subscribe(error)) {
    consumer_backoff = kBackoffMin;
    return true;
  }
  next_consumer_attempt = now + consumer_backoff;
  consumer_backoff = std::min(consumer_backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kBackoffMax));
  return false;
}

bool Messaging::Impl::consumer_missing() {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js, options.stream.c_str(), options.durable.c_str(), nullptr, &jerr);
  jsConsumerInfo_Destroy(ci);
  return s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr;  // a timeout is not proof of loss
}

// ---------------------------------------------------------------------------------------
// Relay

void Messaging::Impl::relay_main() {
  wake->relay_thread.store(std::this_thread::get_id());
  using Clock = std::chrono::steady_clock;
  auto next_attempt = Clock::now();  // not before (backoff)
  auto deadline = Clock::now();      // wake up by then anyway
  auto backoff = kBackoffMin;
  for (;;) {
    {
      std::unique_lock lock(wake->mutex);
      wake->cv.wait_until(lock, deadline, [&] { return wake->stopping || wake->pending; });
      if (wake->stopping) return;
      wake->pending = false;
    }
    auto now = Clock::now();
    if (now < next_attempt) {
      deadline = next_attempt;
      continue;
    }
    RelayResult result;
    try {
      result = relay_once();
    } catch (const std::exception& e) {
      // Database trouble: keep the thread alive and try again.
      if (!relay_outage_logged) log::error("outbox relay failed", {{"error", e.what()}});
      relay_outage_logged = true;
      result = RelayResult::Failed;
    }
    now = Clock::now();
    if (result == RelayResult::Failed) {
      next_attempt = now + backoff;
      deadline = next_attempt;
      backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kBackoffMax));
    } else {
      backoff = kBackoffMin;
      next_attempt = now;
      deadline = now + options.relay_poll;
    }
  }
}

Messaging::Impl::RelayResult Messaging::Impl::relay_once() {
  if (!is_connected()) return RelayResult::NotConnected;
  std::string error;
  auto now = std::chrono::steady_clock::now();
  bool verify = now >= next_verify;
  if (verify) next_verify = now + kVerifyEvery;
  // A consumer that cannot be set up (say, another instance holds it) must not stop publishing.
  const bool ready = ensure_ready(error, verify);
  if (!ready) {
    if (!setup_outage_logged) log::warn("JetStream setup failed; retrying", {{"stream", options.stream}, {"error", error}});
    setup_outage_logged = true;
    if (!stream_ready) return RelayResult::Failed;
  } else {
    if (setup_outage_logged) log::info("JetStream setup done", {{"stream", options.stream}});
    setup_outage_logged = false;
  }
  // Without a consumer the relay still publishes; the poll brings it back to retry the setup.

  for (;;) {
    {
      std::lock_guard lock(wake->mutex);
      if (wake->stopping) return RelayResult::Idle;
    }
    auto rows = db.query("SELECT seq, id, type, body, order_id FROM fd_outbox ORDER BY seq LIMIT ?",
                         {static_cast<std::int64_t>(kRelayBatch)});
    if (rows.empty()) return RelayResult::Idle;
    std::size_t acknowledged = publish(rows);
    if (acknowledged > 0) {
      db.transaction([&](Db& tx) {
        for (std::size_t i = 0; i < acknowledged; ++i) tx.exec("DELETE FROM fd_outbox WHERE seq = ?", {rows[i].integer(0)});
      });
    }
    if (acknowledged < rows.size()) {
      std::string why;
      {
        std::lock_guard lock(publish_mutex);
        why = publish_error.empty() ? "no acknowledgement from JetStream" : publish_error;
        if (stream_missing) stream_ready = false;
      }
      if (!relay_outage_logged) {
        const auto& failed = rows[acknowledged];
        log::warn("publishing events failed; they stay in the outbox and are retried",
                  {{"error", why},
                   {"eventType", failed.text(2)},
                   {"orderId", failed.text(4)},
                   {"pending", std::to_string(rows.size() - acknowledged)}});
      }
      relay_outage_logged = true;
      return RelayResult::Failed;
    }
    if (relay_outage_logged) log::info("publishing events resumed", {{"stream", options.stream}});
    relay_outage_logged = false;
    if (rows.size() < kRelayBatch) return RelayResult::Idle;
  }
}

// Publishes rows in order, asynchronously, then waits for all acknowledgements. Returns how
// many leading rows JetStream acknowledged (a later row may have succeeded too; it will be
// published again and de-duplicated by Nats-Msg-Id).
std::size_t Messaging::Impl::publish(const std::vector<Row>& rows) {
  {
    std::lock_guard lock(publish_mutex);
    failed_ids.clear();
    stream_missing = false;
    publish_error.clear();
  }
  std::size_t sent = 0;
  for (const auto& row : rows) {
    std::string id = row.text(1), type = row.text(2), body = row.text(3);
    std::string subject = options.subject_prefix + type;
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "type", type.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id.c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(js, &msg, nullptr);
    natsMsg_Destroy(msg);  // no-op when the library took it
    if (s != NATS_OK) {
      std::lock_guard lock(publish_mutex);
      if (publish_error.empty()) publish_error = nats_error(s);
      break;
    }
    ++sent;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = kPublishAckWaitMs;
  natsStatus s = js_PublishAsyncComplete(js, &po);
  // (js_PublishAsyncGetPendingList crashes in cnats 3.4 before the first async publish.)
  if (s != NATS_OK && sent > 0) {
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) {
      std::lock_guard lock(publish_mutex);
      for (int i = 0; i < pending.Count; ++i) {
        const char* id = nullptr;
        if (pending.Msgs[i] && natsMsgHeader_Get(pending.Msgs[i], "Nats-Msg-Id", &id) == NATS_OK && id)
          failed_ids.insert(id);
      }
      if (publish_error.empty()) publish_error = "timed out waiting for JetStream acknowledgements";
      natsMsgList_Destroy(&pending);
    }
  }
  std::lock_guard lock(publish_mutex);
  std::size_t ok = 0;
  while (ok < sent && !failed_ids.contains(rows[ok].text(1))) ++ok;
  return ok;
}

// ---------------------------------------------------------------------------------------
// Consumer

void Messaging::Impl::handle(natsMsg* msg) {
  const char* header = nullptr;
  std::string type;
  if (natsMsgHeader_Get(msg, "type", &header) == NATS_OK && header) {
    type = header;
  } else if (const char* subject = natsMsg_GetSubject(msg)) {
    std::string_view s(subject);
    if (s.starts_with(options.subject_prefix)) type = s.substr(options.subject_prefix.size());
  }
  std::uint64_t delivered = 1;
  std::string id;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &header) == NATS_OK && header && *header) id = header;
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    delivered = meta->NumDelivered;
    if (id.empty()) id = std::to_string(meta->Sequence.Stream);
    jsMsgMetaData_Destroy(meta);
  }

  boost::json::error_code ec;
  auto value = boost::json::parse(
      std::string_view(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))), ec);
  if (ec || !value.is_object()) {
    log::error("malformed event dropped (not a JSON object)",
               {{"eventType", type}, {"eventId", id}, {"error", ec ? ec.message() : "not an object"}});
    natsMsg_Term(msg, nullptr);
    return;
  }
  auto reaction = reactions.find(type);
  if (reaction == reactions.end()) {
    natsMsg_Ack(msg, nullptr);
    return;
  }

  ReceivedEvent event{id, type, std::move(value.as_object())};
  std::string failure;
  try {
    bool duplicate = false;
    db.transaction([&](Db& tx) {
      if (tx.exec("INSERT INTO fd_inbox(id, type, processed_at) VALUES(?, ?, ?) ON CONFLICT(id) DO NOTHING",
                  {event.id, event.type, now_ms()}) == 0) {
        duplicate = true;
        return;
      }
      reaction->second(tx, event);
    });
    if (duplicate)
      log::info("duplicate event ignored", {{"orderId", event.order_id()}, {"eventType", type}, {"eventId", id}});
    natsMsg_Ack(msg, nullptr);
    return;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  // Redeliver later, backing off: 0.5 s, 1 s, 2 s, ... up to 30 s.
  std::int64_t delay = kNakDelayMs;
  for (std::uint64_t i = 1; i < delivered && delay < kNakDelayMaxMs; ++i) delay *= 2;
  delay = std::min(delay, kNakDelayMaxMs);
  log::error("reaction failed; event will be redelivered",
             {{"orderId", event.order_id()},
              {"eventType", type},
              {"eventId", id},
              {"attempt", std::to_string(delivered)},
              {"retryInMs", std::to_string(delay)},
              {"error", failure}});
  natsMsg_NakWithDelay(msg, delay, nullptr);
}

// ---------------------------------------------------------------------------------------

Messaging::Messaging(Db& db, MessagingOptions options) : impl_(std::make_unique<Impl>(db, std::move(options))) {}

Messaging::~Messaging() { stop(); }

void Messaging::start(std::map<std::string, Reaction> reactions) { impl_->start(std::move(reactions)); }

void Messaging::stop() { impl_->stop(); }

bool Messaging::connected() const { return impl_->is_connected(); }

std::size_t Messaging::pending_outbox() const {
  auto row = impl_->db.query_one("SELECT COUNT(*) FROM fd_outbox");
  return row ? static_cast<std::size_t>(row->integer(0)) : 0;
}

// ---------------------------------------------------------------------------------------
// Consumer reset, for rebuilding a read model.

namespace {

// A server notices a killed consumer's closed connection a moment after the process is gone.
constexpr auto kUnbindWait = std::chrono::seconds(3);

void check(natsStatus status, const std::string& what) {
  if (status != NATS_OK) throw std::runtime_error(what + ": " + natsStatus_GetText(status));
}

struct Connection {
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  explicit Connection(const std::string& url) {
    check(natsConnection_ConnectTo(&connection, url.c_str()), "cannot reach NATS at " + url);
    if (auto status = natsConnection_JetStream(&js, connection, nullptr); status != NATS_OK) {
      natsConnection_Destroy(connection);
      check(status, "no JetStream at " + url);
    }
  }
  ~Connection() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
  }
};

}  // namespace

void forget_consumer(const std::string& nats_url, const std::string& stream, const std::string& durable) {
  Connection nats(nats_url);
  auto deadline = std::chrono::steady_clock::now() + kUnbindWait;
  for (;;) {
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    auto status = js_GetConsumerInfo(&info, nats.js, stream.c_str(), durable.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr) return;
    check(status, "cannot read consumer " + durable + " of stream " + stream);
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
  check(status, "cannot delete consumer " + durable + " of stream " + stream);
}

std::uint64_t last_sequence(const std::string& nats_url, const std::string& stream) {
  Connection nats(nats_url);
  jsStreamInfo* info = nullptr;
  check(js_GetStreamInfo(&info, nats.js, stream.c_str(), nullptr, nullptr), "cannot read stream " + stream);
  auto last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  return last;
}

std::vector<StoredEvent> read_stream(const std::string& nats_url, const std::string& stream) {
  Connection nats(nats_url);
  jsStreamInfo* info = nullptr;
  check(js_GetStreamInfo(&info, nats.js, stream.c_str(), nullptr, nullptr), "cannot read stream " + stream);
  std::uint64_t last = info->State.LastSeq, stored = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  std::vector<StoredEvent> events;
  if (stored == 0) return events;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Ordered = true;
  options.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* subscription = nullptr;
  check(js_SubscribeSync(&subscription, nats.js, ">", nullptr, &options, nullptr), "cannot read stream " + stream);
  std::unique_ptr<natsSubscription, void (*)(natsSubscription*)> owned(subscription, natsSubscription_Destroy);
  for (;;) {
    natsMsg* message = nullptr;
    check(natsSubscription_NextMsg(&message, subscription, 10000), "cannot read a stored event of " + stream);
    std::unique_ptr<natsMsg, void (*)(natsMsg*)> held(message, natsMsg_Destroy);
    StoredEvent event;
    const char* value = nullptr;
    if (natsMsgHeader_Get(message, "type", &value) == NATS_OK && value) event.type = value;
    if (natsMsgHeader_Get(message, "Nats-Msg-Id", &value) == NATS_OK && value) event.id = value;
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

ConsumerState consumer_state(const std::string& nats_url, const std::string& durable, const std::string& stream) {
  Connection nats(nats_url);
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_GetConsumerInfo(&info, nats.js, stream.c_str(), durable.c_str(), nullptr, &code);
  if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr) return {};
  check(status, "cannot read consumer " + durable + " of stream " + stream);
  ConsumerState state{true, info->NumPending, static_cast<std::uint64_t>(info->NumAckPending),
                      info->Delivered.Stream, info->PushBound};
  jsConsumerInfo_Destroy(info);
  return state;
}

}  // namespace platform
