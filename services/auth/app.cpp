#include "app.hpp"

namespace auth {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  seed_demo_accounts(host.db());
  add_routes(host, {host.config().require("JWT_SECRET"), host.config().integer("TOKEN_TTL_SECONDS", 900),
                    host.config().integer("REFRESH_TTL_SECONDS", 30 * 24 * 3600)});
  return {};
}

}  // namespace auth
