#include "app.hpp"

namespace payment {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  add_routes(host);
  return subscriptions(CardProcessor{host.config().integer("PAYMENT_CARD_LIMIT", CardProcessor{}.limit)});
}

}  // namespace payment
