#include "rebuild.hpp"

#include <cstdio>

#include "platform/config.hpp"
#include "platform/messaging.hpp"
#include "status_view.hpp"

namespace customer {

void reset_view(platform::Db& db, const std::string& nats_url) {
  // The consumer goes first: should the wipe then fail, the replay meets an intact inbox
  // and view and changes nothing; the other way round, the view would miss the past.
  platform::forget_consumer(nats_url, platform::MessagingOptions{}.stream, kServiceName);
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
