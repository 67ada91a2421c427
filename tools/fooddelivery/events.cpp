// fooddelivery events: prints the stream's events one JSON object per line, byte for byte as
// they were published (what kafka-console-consumer showed in the seeds), leaving nothing
// behind on the broker: on JetStream through an ephemeral ordered consumer, on Kafka by
// reading every partition outside any consumer group. --from-seq, --type and --order choose
// which; --long says where each is kept, when it was stored and its headers.
#include <nats/nats.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"
#include "platform/event.hpp"
#include "platform/nats_options.hpp"

namespace fd::cli {

namespace {

std::atomic<bool> g_closing{false};

void on_disconnected(natsConnection*, void*) {
  if (!g_closing) std::fprintf(stderr, "fooddelivery events: NATS disconnected, reconnecting...\n");
}

void on_reconnected(natsConnection*, void*) { std::fprintf(stderr, "fooddelivery events: NATS reconnected\n"); }

struct Args {
  bool follow = false;
  bool only_new = false;
  bool long_format = false;
  platform::BusEndpoint bus = default_bus();
  std::string subject;
  std::uint64_t from_seq = 0;  // 0: from the first stored
  std::set<std::string> types;  // empty: every type
  std::string order;            // "": every order's

  // Whether an event of this type and body is one asked for.
  bool wanted(const std::string& type, std::string_view body) const {
    if (!types.empty() && !types.contains(type)) return false;
    if (order.empty()) return true;
    boost::json::error_code ec;
    auto parsed = boost::json::parse(body, ec);
    return !ec && parsed.is_object() && platform::order_id_of(parsed.as_object()) == order;
  }
};

int fail(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "fooddelivery events: %s\n", message.c_str());
  return 1;
}

// One event's line: with --long, first where the bus keeps it, its id, when it was stored and
// its headers (a JSON object). False when stdout is gone.
bool print(const std::string& detail, const char* body, std::size_t size) {
  if (!detail.empty() && std::fputs(detail.c_str(), stdout) == EOF) return false;
  return std::fwrite(body, 1, size, stdout) == size && std::fputc('\n', stdout) != EOF;
}

std::string long_detail(const std::string& where, const std::string& id, std::int64_t time_ms,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::json::object shown;
  for (const auto& [name, value] : headers) shown[name] = value;
  return where + " id=" + id + " time=" + (time_ms > 0 ? platform::iso_time(time_ms) : std::string("-")) +
         " headers=" + boost::json::serialize(shown) + " ";
}

std::string nats_header(natsMsg* message, const char* name) {
  const char* value = nullptr;
  return natsMsgHeader_Get(message, name, &value) == NATS_OK && value ? value : "";
}

std::vector<std::pair<std::string, std::string>> nats_headers(natsMsg* message) {
  std::vector<std::pair<std::string, std::string>> all;
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(message, &keys, &count) != NATS_OK) return all;
  for (int i = 0; i < count; ++i) all.emplace_back(keys[i], nats_header(message, keys[i]));
  std::free(static_cast<void*>(keys));
  return all;
}

// Kafka has no per-type subjects: every event of the topic, partition by partition as they
// come (each order's events in order, as they share its partition).
int read_topic(const Args& args) {
  if (!args.subject.empty())
    return fail("--subject is JetStream's: Kafka keeps every event on topic " + args.bus.stream);
  platform::KafkaTopicReader reader(
      args.bus, args.only_new ? platform::KafkaTopicReader::From::Now : platform::KafkaTopicReader::From::Start);
  stop_on_signals();
  // A broker that stops delivering what it said it stores must not hang a one-off read.
  constexpr int kStallMs = 10'000;
  int idle_ms = 0;
  std::string reported;  // the trouble last told on stderr
  while (!interrupted() && (args.follow || !reader.caught_up())) {
    auto record = reader.next(std::chrono::milliseconds(200));
    if (!record) {
      if (std::fflush(stdout) != 0) return 0;  // reader went away
      if (reader.trouble() != reported) {
        reported = reader.trouble();
        if (!reported.empty()) std::fprintf(stderr, "fooddelivery events: %s; retrying...\n", reported.c_str());
      }
      idle_ms += 200;
      if (!args.follow && idle_ms >= kStallMs)
        return fail(reported.empty() ? "topic " + args.bus.stream + " at " + args.bus.where() +
                                           " stopped delivering its stored events"
                                     : reported);
      continue;
    }
    idle_ms = 0;
    // Offsets count per partition: --from-seq N starts each partition at its offset N.
    if (record->offset < args.from_seq || !args.wanted(record->type, record->value)) continue;
    std::string detail;
    if (args.long_format)
      detail = long_detail("topic=" + args.bus.stream + " partition=" + std::to_string(record->partition) +
                               " offset=" + std::to_string(record->offset),
                           record->id, record->timestamp_ms, record->headers);
    if (!print(detail, record->value.data(), record->value.size())) return 0;  // e.g. piped into head
    if (args.follow && std::fflush(stdout) != 0) return 0;
  }
  std::fflush(stdout);
  return 0;
}

class Session {
 public:
  ~Session() {
    g_closing = true;
    if (sub_) {
      natsSubscription_Unsubscribe(sub_);  // deletes the ephemeral consumer at once
      natsSubscription_Destroy(sub_);
    }
    jsCtx_Destroy(js_);
    natsConnection_Destroy(nc_);
    natsOptions_Destroy(options_);
  }

  int run(const Args& args) {
    natsStatus s = natsOptions_Create(&options_);
    if (s == NATS_OK) s = platform::use_endpoint(options_, args.bus.nats);
    if (s == NATS_OK) s = natsOptions_SetSendAsap(options_, true);
    if (s == NATS_OK) s = natsOptions_SetTimeout(options_, 2000);
    if (s == NATS_OK && args.follow) {
      natsOptions_SetMaxReconnect(options_, -1);
      natsOptions_SetReconnectWait(options_, 500);
      natsOptions_SetDisconnectedCB(options_, on_disconnected, nullptr);
      natsOptions_SetReconnectedCB(options_, on_reconnected, nullptr);
    }
    if (s != NATS_OK) return fail("invalid NATS options for " + args.bus.nats.where() + ": " + platform::nats_error(s));
    s = natsConnection_Connect(&nc_, options_);
    if (s != NATS_OK) return fail(platform::connect_error(s, args.bus.nats));
    s = natsConnection_JetStream(&js_, nc_, nullptr);
    if (s != NATS_OK) return fail("JetStream: " + platform::nats_error(s));

    jsStreamInfo* info = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    s = js_GetStreamInfo(&info, js_, args.bus.stream.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr)
      return fail("stream '" + args.bus.stream + "' does not exist on " + args.bus.nats.where() +
                  " (no service has published an event yet)");
    if (s != NATS_OK)
      return fail("cannot read stream '" + args.bus.stream + "' on " + args.bus.nats.where() + ": " +
                  platform::nats_error(s) +
                  (s == NATS_NO_RESPONDERS || s == NATS_TIMEOUT ? " - is JetStream enabled (nats-server -js)?" : ""));
    std::string subject = args.subject;
    if (subject.empty()) {
      if (info->Config && info->Config->SubjectsLen == 1) subject = info->Config->Subjects[0];
    }
    std::uint64_t stored = info->State.Msgs;
    std::uint64_t last_seq = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    if (subject.empty()) return fail("stream '" + args.bus.stream + "' has several subjects: pass --subject");
    if (!args.follow && (stored == 0 || args.from_seq > last_seq)) return 0;

    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = args.bus.stream.c_str();
    so.Ordered = true;
    so.Config.DeliverPolicy = args.only_new ? js_DeliverNew : js_DeliverAll;
    if (args.from_seq > 0) {
      so.Config.DeliverPolicy = js_DeliverByStartSequence;
      so.Config.OptStartSeq = args.from_seq;
    }
    s = js_SubscribeSync(&sub_, js_, subject.c_str(), nullptr, &so, &jerr);
    if (s != NATS_OK) return fail("cannot subscribe to " + subject + ": " + platform::nats_error(s));

    stop_on_signals();
    int idle_ms = 0;
    while (!interrupted()) {
      natsMsg* msg = nullptr;
      s = natsSubscription_NextMsg(&msg, sub_, 200);
      if (s == NATS_TIMEOUT) {
        if (std::fflush(stdout) != 0) return 0;  // reader went away
        idle_ms += 200;
        // Messages may have been deleted from the stream's tail: do not wait forever.
        if (!args.follow && idle_ms >= 3000) return 0;
        continue;
      }
      if (s != NATS_OK) return fail("receiving: " + platform::nats_error(s));
      idle_ms = 0;
      bool done = false;
      std::string detail;
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        done = !args.follow && (meta->Sequence.Stream >= last_seq || meta->NumPending == 0);
        if (args.long_format)
          detail = long_detail("seq=" + std::to_string(meta->Sequence.Stream) + " subject=" + natsMsg_GetSubject(msg),
                               nats_header(msg, "Nats-Msg-Id"), meta->Timestamp / 1'000'000, nats_headers(msg));
        jsMsgMetaData_Destroy(meta);
      }
      const std::string_view body(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
      bool written = !args.wanted(nats_header(msg, "type"), body) || print(detail, body.data(), body.size());
      natsMsg_Destroy(msg);
      if (!written) return 0;  // e.g. piped into head
      if (args.follow && std::fflush(stdout) != 0) return 0;
      if (done) break;
    }
    std::fflush(stdout);
    return 0;
  }

 private:
  natsOptions* options_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* sub_ = nullptr;
};

std::vector<std::string> event_types() {
  std::vector<std::string> types;
  for (const auto& contract : contracts::kCatalogue) types.emplace_back(contract.type);
  return types;
}

}  // namespace

Command events_command(CLI::App& cli) {
  auto args = std::make_shared<Args>();
  auto* app =
      cli.add_subcommand("events", "print the events on the bus (JetStream or Kafka), one JSON object per line");
  app->footer(
      "Prints the events the bus stores, one JSON object per line, exactly as published: the JetStream\n"
      "stream in order, or every partition of the Kafka topic (each order's events in order).\n"
      "--from-seq, --type and --order combine: only events that match them all are printed.");
  app->add_flag("-f,--follow", args->follow, "keep printing new events until Ctrl-C");
  auto* all = app->add_flag("--all")->description("start from the first stored event (default)");
  app->add_flag("--new", args->only_new, "print only events published from now on (implies --follow)")->excludes(all);
  app->add_flag("-l,--long", args->long_format,
                "before each event, where it is kept (JetStream: seq=N subject=S; Kafka: topic=T partition=P "
                "offset=O), id=I time=<when stored, UTC> headers=<JSON object>");
  app->add_option("--from-seq", args->from_seq,
                  "start at stream sequence N (Kafka: at offset N of each partition)")
      ->type_name("N")
      ->check(at_least(1));
  app->add_option_function<std::vector<std::string>>(
         "--type",
         [args](const std::vector<std::string>& types) { args->types.insert(types.begin(), types.end()); },
         "only events of type T (repeatable), e.g. " + std::string(contracts::OrderPlaced::type))
      ->type_name("T")
      ->check(CLI::IsMember(event_types()));
  app->add_option("--order", args->order, "only events of order ID (their orderId)")->type_name("ID");
  add_bus_options(*app, args->bus);
  app->add_option("--stream", args->bus.stream, "stream (Kafka: topic) to read")
      ->type_name("NAME")
      ->capture_default_str();
  app->add_option("--subject", args->subject,
                  "JetStream only: events on subjects matching S, e.g. fooddelivery." +
                      std::string(contracts::OrderPlaced::type) +
                      ".> (each subject names the event, then the services that react to it; default: all of the "
                      "stream's subjects)")
      ->type_name("S");
  return {app, [args] {
            if (args->only_new) args->follow = true;
            try {
              if (args->bus.kafka()) return read_topic(*args);
              Session session;
              return session.run(*args);
            } catch (const std::invalid_argument& error) {  // a malformed bus URL, an identity naming no inbox
              std::fprintf(stderr, "fooddelivery events: %s\n", error.what());
              return 2;
            } catch (const std::runtime_error& error) {  // brokers that do not answer, no such topic
              return fail(error.what());
            }
          }};
}

}  // namespace fd::cli
