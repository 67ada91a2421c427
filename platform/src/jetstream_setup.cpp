// The stream and the durable consumer: created when missing, checked every so often
// (a server restarted without its store loses both), and the consumer's subscription.
#include <algorithm>
#include <map>

#include "jetstream_bus.hpp"
#include "platform/bus_access.hpp"
#include "platform/log.hpp"
#include "platform/nats_options.hpp"
#include "platform/thread_name.hpp"

namespace platform {

namespace {

// A reaction takes well under a millisecond; what a killed service held unacknowledged comes
// back after this long.
constexpr std::int64_t kAckWaitNs = 5'000'000'000;  // consumer AckWait
constexpr std::int64_t kMaxAckPending = 512;
constexpr std::int64_t kSubscriptionDrainWaitMs = 5000;
constexpr auto kVerifyEvery = std::chrono::seconds(5);  // re-check that stream and consumer still exist

}  // namespace

// What the consumer receives: a service, only the events the contracts say it reacts to
// (their subjects name it, bus_access.hpp); another consumer (a test's), its one type or the
// whole stream. NATS 2.9 filters on one subject at most.
std::string JetStreamBus::consumed_subject() const {
  if (auto audience = audience_filter(options_.subject_prefix, consumer_->durable); !audience.empty()) return audience;
  return consumer_->types.size() == 1 ? options_.subject_prefix + *consumer_->types.begin() + ".>" : subject_all();
}

// Now, when NATS is there, so that the consumer exists when the service has started.
void JetStreamBus::set_up_at_start() {
  std::string error;
  next_verify_ = std::chrono::steady_clock::now() + kVerifyEvery;
  if (!set_up(error, false)) {
    log::warn("JetStream setup failed; retrying in the background", {{"stream", options_.stream}, {"error", error}});
    setup_outage_logged_ = true;
  }
}

bool JetStreamBus::ensure_ready() {
  std::string error;
  auto now = std::chrono::steady_clock::now();
  bool verify = now >= next_verify_;
  if (verify) next_verify_ = now + kVerifyEvery;
  // A consumer that cannot be set up (say, another instance holds it) must not stop publishing.
  if (!set_up(error, verify)) {
    if (!setup_outage_logged_)
      log::warn("JetStream setup failed; retrying", {{"stream", options_.stream}, {"error", error}});
    setup_outage_logged_ = true;
    return stream_ready_;
  }
  if (setup_outage_logged_) log::info("JetStream setup done", {{"stream", options_.stream}});
  setup_outage_logged_ = false;
  return true;
}

// Stream first (needed to publish), then the consumer. With verify, also notices a stream or
// consumer that disappeared and re-creates them.
bool JetStreamBus::set_up(std::string& error, bool verify) {
  bool created = false;
  if (!stream_ready_ || verify) {
    if (!ensure_stream(created, error)) {
      stream_ready_ = false;
      return false;
    }
    stream_ready_ = true;
  }
  if (!consumer_) return true;
  if (!consuming_) {
    if (sub_) {
      close_subscription();
      log::info("another replica takes the events now; this one stands by", {{"durable", consumer_->durable}});
    }
    return true;
  }
  if (sub_ && (created || (verify && consumer_missing()))) {
    log::warn("JetStream consumer lost; re-creating it", {{"stream", options_.stream}, {"durable", consumer_->durable}});
    close_subscription();
  }
  if (sub_ && !delivering_) close_subscription();  // it ended on its own (take_deliveries said why)
  if (sub_) return true;
  // Retried on its own backoff: the relay runs on every commit and must not hammer the server.
  auto now = std::chrono::steady_clock::now();
  if (now < next_consumer_attempt_) {
    error = "consumer setup retried later";
    return false;
  }
  if (ensure_consumer(error) && subscribe_consumer(error)) {
    consumer_backoff_ = kBackoffMin;
    return true;
  }
  next_consumer_attempt_ = now + consumer_backoff_;
  consumer_backoff_ = std::min(consumer_backoff_ * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kBackoffMax));
  return false;
}

bool JetStreamBus::ensure_stream(bool& created, std::string& error) {
  created = false;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, options_.stream.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    if (si->Config) bring_to_settings(si->Config);
    jsStreamInfo_Destroy(si);
    return true;
  }
  if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
    error = "stream info: " + nats_error(s);
    return false;
  }
  std::string subject = subject_all();
  const char* subjects[] = {subject.c_str()};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = options_.stream.c_str();
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = options_.stream_replicas;
  cfg.MaxAge = max_age_ns();
  cfg.MaxBytes = options_.stream_max_bytes;
  cfg.Duplicates = duplicate_window_ns();
  jerr = static_cast<jsErrCode>(0);
  s = js_AddStream(&si, js_, &cfg, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    created = true;
    log::info("JetStream stream created", {{"stream", options_.stream},
                                           {"subjects", subject},
                                           {"replicas", std::to_string(options_.stream_replicas)},
                                           {"maxAgeSeconds", std::to_string(options_.stream_max_age.count())},
                                           {"maxBytes", std::to_string(options_.stream_max_bytes)},
                                           {"duplicateWindowMs", std::to_string(options_.stream_duplicate_window.count())}});
    return true;
  }
  if (jerr == JSStreamNameExistErr) return true;  // another service created it meanwhile
  error = "add stream: " + nats_error(s);
  return false;
}

// An existing stream is brought to the configured limits (FD_STREAM_MAX_AGE, FD_STREAM_MAX_BYTES,
// FD_STREAM_DUPLICATE_WINDOW),
// and one made with fewer copies than asked (on one server, before the cluster) gets the others,
// its consumers with them (they inherit the stream's replicas); more copies than asked are
// left, as a node's loss must not shrink them. The server refuses more copies while too few
// nodes are up: tried again at the next check (kVerifyEvery).
void JetStreamBus::bring_to_settings(jsStreamConfig* config) {
  const bool replicas = config->Replicas < options_.stream_replicas;
  const bool limits = config->MaxAge != max_age_ns() || config->MaxBytes != options_.stream_max_bytes ||
                      config->Duplicates != duplicate_window_ns();
  if (!replicas && !limits) return;
  const std::map<std::string, std::string> had{{"replicas", std::to_string(config->Replicas)},
                                               {"maxAgeSeconds", std::to_string(config->MaxAge / 1'000'000'000)},
                                               {"maxBytes", std::to_string(config->MaxBytes)},
                                               {"duplicateWindowMs", std::to_string(config->Duplicates / 1'000'000)}};
  config->Replicas = std::max(config->Replicas, static_cast<int64_t>(options_.stream_replicas));
  config->MaxAge = max_age_ns();
  config->MaxBytes = options_.stream_max_bytes;
  config->Duplicates = duplicate_window_ns();
  jsStreamInfo* updated = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_UpdateStream(&updated, js_, config, nullptr, &jerr);
  jsStreamInfo_Destroy(updated);
  if (s == NATS_OK) {
    log::info("JetStream stream brought to the configured replicas and limits",
              {{"stream", options_.stream},
               {"had", had.at("replicas") + " replicas, max age " + had.at("maxAgeSeconds") + " s, max bytes " +
                           had.at("maxBytes") + ", duplicate window " + had.at("duplicateWindowMs") + " ms"},
               {"replicas", std::to_string(config->Replicas)},
               {"maxAgeSeconds", std::to_string(options_.stream_max_age.count())},
               {"maxBytes", std::to_string(options_.stream_max_bytes)},
               {"duplicateWindowMs", std::to_string(options_.stream_duplicate_window.count())}});
    settings_refusal_logged_ = false;
  } else if (!settings_refusal_logged_) {
    log::warn("JetStream stream differs from the configured replicas or limits; updating it failed, retrying at the "
              "next check",
              {{"stream", options_.stream},
               {"replicas", had.at("replicas")},
               {"askedReplicas", std::to_string(options_.stream_replicas)},
               {"error", nats_error(s)}});
    settings_refusal_logged_ = true;
  }
}

bool JetStreamBus::ensure_consumer(std::string& error) {
  const std::string& durable = consumer_->durable;
  const std::string wanted = consumed_subject();
  // Where the bus permissions let this service (and no other) listen.
  const std::string deliver = deliver_subject(options_.stream, durable);
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = durable.c_str();
  cc.FilterSubject = wanted.c_str();
  cc.DeliverSubject = deliver.c_str();
  // The service's replicas share the consumer as one queue group: each event goes to one of
  // them, and the inbox applies it once however they race (a redelivery to another replica).
  cc.DeliverGroup = durable.c_str();
  cc.DeliverPolicy = js_DeliverAll;
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = kAckWaitNs;
  cc.MaxAckPending = kMaxAckPending;

  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js_, options_.stream.c_str(), durable.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    auto text = [](const char* value) { return std::string(value ? value : ""); };
    std::string existing = ci->Config ? text(ci->Config->FilterSubject) : "";
    if (existing.empty()) existing = subject_all();
    const std::string group = ci->Config ? text(ci->Config->DeliverGroup) : "";
    const std::string delivers = ci->Config ? text(ci->Config->DeliverSubject) : "";
    const bool caught_up = ci->NumPending == 0 && ci->NumAckPending == 0;
    const std::uint64_t delivered = ci->Delivered.Stream;
    jsConsumerInfo_Destroy(ci);
    ci = nullptr;
    if (existing != wanted && caught_up) {
      // Made before the events' subjects named their audience (or for other events): the new
      // one goes on after the last event the old one delivered. Only once nothing waits in
      // the old one, as what does may be on subjects the new filter does not match.
      log::info("JetStream consumer takes its new filter, from where it left off",
                {{"durable", durable}, {"was", existing}, {"now", wanted}, {"fromSequence", std::to_string(delivered + 1)}});
      s = js_DeleteConsumer(js_, options_.stream.c_str(), durable.c_str(), nullptr, &jerr);
      if (s != NATS_OK) {
        error = "delete outdated consumer: " + nats_error(s);
        return false;
      }
      cc.DeliverPolicy = js_DeliverByStartSequence;
      cc.OptStartSeq = delivered + 1;
      return add_consumer(cc, wanted, error);
    }
    if (existing != wanted) {
      log::warn("JetStream consumer keeps its old filter until nothing waits in it (checked again at the next start)",
                {{"durable", durable}, {"filter", existing}, {"new", wanted}});
      cc.FilterSubject = existing.c_str();
    }
    filter_ = existing;
    if (delivers == deliver && group == durable) return true;
    // Made before its deliver subject was fixed (a random inbox anyone could listen on), or
    // before replicas shared it: changed in place, where it left off.
    log::warn("JetStream consumer delivers elsewhere than this service listens; moving it",
              {{"durable", durable}, {"was", delivers}, {"now", deliver}, {"group", group}});
    s = js_UpdateConsumer(&ci, js_, options_.stream.c_str(), &cc, nullptr, &jerr);
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK) error = "update consumer: " + nats_error(s);
    return s == NATS_OK;
  }
  if (s != NATS_NOT_FOUND && jerr != JSConsumerNotFoundErr) {
    error = "consumer info: " + nats_error(s);
    return false;
  }
  return add_consumer(cc, wanted, error);
}

// Created explicitly (not by js_Subscribe) so that unsubscribing or draining never deletes it.
bool JetStreamBus::add_consumer(jsConsumerConfig& config, const std::string& filter, std::string& error) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&ci, js_, options_.stream.c_str(), &config, nullptr, &jerr);
  if (s == NATS_OK) {
    jsConsumerInfo_Destroy(ci);
    filter_ = filter;
    log::info("JetStream consumer created", {{"stream", options_.stream}, {"durable", consumer_->durable}, {"filter", filter}});
    return true;
  }
  if (jerr == JSConsumerNameExistErr || jerr == JSConsumerExistingActiveErr) {
    filter_ = filter;  // another replica made it meanwhile, as this one would have
    return true;
  }
  error = "add consumer: " + nats_error(s);
  return false;
}

bool JetStreamBus::consumer_missing() {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js_, options_.stream.c_str(), consumer_->durable.c_str(), nullptr, &jerr);
  jsConsumerInfo_Destroy(ci);
  return s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr;  // a timeout is not proof of loss
}

// ---------------------------------------------------------------------------------------

bool JetStreamBus::subscribe_consumer(std::string& error) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.stream.c_str();
  so.Consumer = consumer_->durable.c_str();
  so.ManualAck = true;
  so.Queue = consumer_->durable.c_str();
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsSubscription* created = nullptr;
  natsStatus s = js_SubscribeSync(&created, js_, filter_.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) {
    error = "subscribe: " + nats_error(s);
    return false;
  }
  sub_ = created;
  closing_ = false;
  delivering_ = true;
  delivery_thread_ = std::thread([this, created] {
    name_this_thread("consumer");
    take_deliveries(created);
  });
  log::info("consuming events", {{"stream", options_.stream}, {"durable", consumer_->durable}});
  return true;
}

void JetStreamBus::close_subscription() {
  if (!sub_) return;
  // Drain when possible: messages already delivered to us are handled and acked instead of
  // waiting AckWait for a redelivery (the consumer's thread takes them to the end). The
  // consumer was created explicitly, so neither drain nor destroy deletes it.
  if (connected() && natsSubscription_Drain(sub_) == NATS_OK)
    natsSubscription_WaitForDrainCompletion(sub_, kSubscriptionDrainWaitMs);
  closing_ = true;
  natsSubscription_Unsubscribe(sub_);  // ends a wait for the next message at once
  if (delivery_thread_.joinable()) delivery_thread_.join();
  natsSubscription_Destroy(sub_);
  sub_ = nullptr;
}

}  // namespace platform
