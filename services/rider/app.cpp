#include "app.hpp"

namespace rider {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  add_routes(host, {radius_setting(host.config().get("RIDER_RADIUS_KM", "3")),
                    position_interval_setting(host.config().get("RIDER_POSITION_INTERVAL_S", "3"))});
  return subscriptions();
}

}  // namespace rider
