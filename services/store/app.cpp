#include "app.hpp"

namespace store {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  seed_demo_stores(host.db());
  add_catalog_routes(host);
  add_kitchen_routes(host);
  return subscriptions();
}

}  // namespace store
