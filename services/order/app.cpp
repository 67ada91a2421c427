#include "app.hpp"

#include <algorithm>

#include "platform/clock.hpp"

namespace order {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  // Cancels wait on the store and payment: more threads keep other requests flowing meanwhile.
  host.default_http_threads(4);
  auto saga = std::make_shared<const CancelSaga>(host);
  add_order_routes(host, saga);
  add_review_routes(host);
  host.every("cancel recovery", std::chrono::seconds(1), [saga] { saga->recover(); });
  // At least as often as keys expire, so that a short TTL (in tests) is kept to as well.
  auto key_ttl_ms = 1000 * std::max<std::int64_t>(1, host.config().integer("IDEMPOTENCY_KEY_TTL_SECONDS", 24 * 3600));
  host.every("idempotency key purge", std::chrono::milliseconds(std::min<std::int64_t>(key_ttl_ms, 60'000)),
             [&db = host.db(), key_ttl_ms] { forget_idempotency_keys(db, platform::now_ms() - key_ttl_ms); });
  host.readiness([&db = host.db()] {
    return catalog_stores().select(db, "LIMIT 1").empty() ? std::string("store catalog") : std::string();
  });
  return subscriptions();
}

}  // namespace order
