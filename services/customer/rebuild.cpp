#include "rebuild.hpp"

#include <cstdio>

#include "app.hpp"
#include "platform/messaging.hpp"

namespace customer {

void reset_view(platform::Db& db, const platform::Config& config) {
  // The consumer goes first: should the wipe then fail, the replay meets an intact inbox
  // and view and changes nothing; the other way round, the view would miss the past.
  platform::forget_consumer(platform::BusEndpoint::from(config), kServiceName);
  db.transaction(status_view::wipe);
}

int rebuild_command() {
  try {
    auto config = platform::Config::load();
    auto db_url = config.get("DB_URL", std::string("sqlite:") + kServiceName + ".db");
    auto db = platform::open_database(db_url);
    platform::migrate_messaging(*db);
    platform::migrate(*db, schema());
    reset_view(*db, config);
    std::printf(
        "fd-customer: status view wiped in %s and consumer '%s' reset at %s;\n"
        "the next start of the customer service replays the whole stream (notifications are not sent again)\n",
        db_url.c_str(), kServiceName, platform::BusEndpoint::from(config).where().c_str());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fd-customer --rebuild: %s\n", error.what());
    return 1;
  }
}

}  // namespace customer
