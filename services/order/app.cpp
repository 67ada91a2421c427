#include "app.hpp"

namespace order {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  // Cancels wait on the store and payment: more threads keep other requests flowing meanwhile.
  host.default_http_threads(4);
  auto saga = std::make_shared<const CancelSaga>(host);
  add_order_routes(host, saga);
  add_review_routes(host);
  host.every("cancel recovery", std::chrono::seconds(1), [saga] { saga->recover(); });
  host.readiness([&db = host.db()] {
    return catalog_stores().select(db, "LIMIT 1").empty() ? std::string("store catalog") : std::string();
  });
  return subscriptions();
}

}  // namespace order
