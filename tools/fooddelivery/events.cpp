// fooddelivery events: prints the stream's events one JSON object per line, byte for byte as
// they were published (what kafka-console-consumer showed in the seeds), through an
// ephemeral ordered consumer that leaves nothing behind on the server.
#include <nats/nats.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "command.hpp"
#include "contracts/events.hpp"
#include "platform/nats_options.hpp"

namespace fd::cli {

namespace {

volatile sig_atomic_t g_interrupted = 0;
std::atomic<bool> g_closing{false};

void on_signal(int) { g_interrupted = 1; }

void on_disconnected(natsConnection*, void*) {
  if (!g_closing) std::fprintf(stderr, "fooddelivery events: NATS disconnected, reconnecting...\n");
}

void on_reconnected(natsConnection*, void*) { std::fprintf(stderr, "fooddelivery events: NATS reconnected\n"); }

struct Args {
  bool follow = false;
  bool only_new = false;
  platform::NatsEndpoint nats = default_nats();
  std::string stream = "fooddelivery";
  std::string subject;
};

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
    if (s == NATS_OK) s = platform::use_endpoint(options_, args.nats);
    if (s == NATS_OK) s = natsOptions_SetSendAsap(options_, true);
    if (s == NATS_OK) s = natsOptions_SetTimeout(options_, 2000);
    if (s == NATS_OK && args.follow) {
      natsOptions_SetMaxReconnect(options_, -1);
      natsOptions_SetReconnectWait(options_, 500);
      natsOptions_SetDisconnectedCB(options_, on_disconnected, nullptr);
      natsOptions_SetReconnectedCB(options_, on_reconnected, nullptr);
    }
    if (s != NATS_OK) return fail("invalid NATS options for " + args.nats.where() + ": " + platform::nats_error(s));
    s = natsConnection_Connect(&nc_, options_);
    if (s != NATS_OK) return fail(platform::connect_error(s, args.nats));
    s = natsConnection_JetStream(&js_, nc_, nullptr);
    if (s != NATS_OK) return fail("JetStream: " + platform::nats_error(s));

    jsStreamInfo* info = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    s = js_GetStreamInfo(&info, js_, args.stream.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr)
      return fail("stream '" + args.stream + "' does not exist on " + args.nats.where() +
                  " (no service has published an event yet)");
    if (s != NATS_OK)
      return fail("cannot read stream '" + args.stream + "' on " + args.nats.where() + ": " + platform::nats_error(s) +
                  (s == NATS_NO_RESPONDERS || s == NATS_TIMEOUT ? " - is JetStream enabled (nats-server -js)?" : ""));
    std::string subject = args.subject;
    if (subject.empty()) {
      if (info->Config && info->Config->SubjectsLen == 1) subject = info->Config->Subjects[0];
    }
    std::uint64_t stored = info->State.Msgs;
    std::uint64_t last_seq = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    if (subject.empty()) return fail("stream '" + args.stream + "' has several subjects: pass --subject");
    if (!args.follow && stored == 0) return 0;

    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = args.stream.c_str();
    so.Ordered = true;
    so.Config.DeliverPolicy = args.only_new ? js_DeliverNew : js_DeliverAll;
    s = js_SubscribeSync(&sub_, js_, subject.c_str(), nullptr, &so, &jerr);
    if (s != NATS_OK) return fail("cannot subscribe to " + subject + ": " + platform::nats_error(s));

    install_signals();
    int idle_ms = 0;
    while (!g_interrupted) {
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
      if (!args.follow) {
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
          done = meta->Sequence.Stream >= last_seq || meta->NumPending == 0;
          jsMsgMetaData_Destroy(meta);
        }
      }
      bool written = std::fwrite(natsMsg_GetData(msg), 1, natsMsg_GetDataLength(msg), stdout) ==
                         static_cast<std::size_t>(natsMsg_GetDataLength(msg)) &&
                     std::fputc('\n', stdout) != EOF;
      natsMsg_Destroy(msg);
      if (!written) return 0;  // e.g. piped into head
      if (args.follow && std::fflush(stdout) != 0) return 0;
      if (done) break;
    }
    std::fflush(stdout);
    return 0;
  }

 private:
  static int fail(const std::string& message) {
    std::fflush(stdout);
    std::fprintf(stderr, "fooddelivery events: %s\n", message.c_str());
    return 1;
  }

  static void install_signals() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);
  }

  natsOptions* options_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* sub_ = nullptr;
};

}  // namespace

Command events_command(CLI::App& cli) {
  auto args = std::make_shared<Args>();
  auto* app = cli.add_subcommand("events", "print the events of the JetStream stream, one JSON object per line");
  app->footer("Prints the events of a JetStream stream, one JSON object per line, exactly as published.");
  app->add_flag("-f,--follow", args->follow, "keep printing new events until Ctrl-C");
  auto* all = app->add_flag("--all")->description("start from the first stored event (default)");
  app->add_flag("--new", args->only_new, "print only events published from now on (implies --follow)")->excludes(all);
  app->add_option("--nats", args->nats.url,
                  "NATS server (default: $FD_NATS_URL or nats://127.0.0.1:$FD_NATS_PORT or :4222), read as the "
                  "identity $FD_NATS_USER with $FD_NATS_PASSWORD: viewer (scripts/platform run viewer -- "
                  "fooddelivery events)")
      ->type_name("URL");
  app->add_option("--stream", args->stream, "stream to read")->type_name("NAME")->capture_default_str();
  app->add_option("--subject", args->subject,
                  "only events on subject S, e.g. fooddelivery." + std::string(contracts::OrderPlaced::type) +
                      " (default: all of the stream's subjects)")
      ->type_name("S");
  return {app, [args] {
            if (args->only_new) args->follow = true;
            try {
              Session session;
              return session.run(*args);
            } catch (const std::invalid_argument& error) {  // an identity that cannot name an inbox
              std::fprintf(stderr, "fooddelivery events: %s\n", error.what());
              return 2;
            }
          }};
}

}  // namespace fd::cli
