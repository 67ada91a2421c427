#include "rebuild.hpp"

#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

#include "platform/config.hpp"
#include "platform/messaging.hpp"
#include "status_view.hpp"

namespace customer {

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

// Deletes the durable consumer unless a running service still consumes through it.
void forget_position(const std::string& nats_url, const std::string& stream, const std::string& durable) {
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

}  // namespace

void reset_view(platform::Db& db, const std::string& nats_url) {
  // The consumer goes first: should the wipe then fail, the replay meets an intact inbox
  // and view and changes nothing; the other way round, the view would miss the past.
  forget_position(nats_url, platform::MessagingOptions{}.stream, kServiceName);
  db.transaction([](platform::Db& tx) { status_view::wipe(tx); });
}

int rebuild_command() {
  try {
    auto config = platform::Config::load();
    auto db_url = config.get("DB_URL", std::string("sqlite:") + kServiceName + ".db");
    auto nats_url = config.get("NATS_URL", platform::MessagingOptions{}.url);
    auto db = platform::open_database(db_url);
    platform::migrate_messaging(*db);
    reset_view(*db, nats_url);
    std::printf(
        "fd-customer: status view wiped in %s and consumer '%s' reset at %s;\n"
        "the next start of the customer service replays the whole stream (notifications are not sent again)\n",
        db_url.c_str(), kServiceName, nats_url.c_str());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fd-customer --rebuild: %s\n", error.what());
    return 1;
  }
}

}  // namespace customer
