// Whether a store exists, asked of the store service: the one call auth makes to another
// service, behind its breaker like every synchronous call.
#include "app.hpp"
#include "platform/http_client.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace auth {

StoreDirectory store_directory(platform::ServiceHost& host) {
  const auto& config = host.config();
  return [url = config.get("STORE_URL", "http://127.0.0.1:8084"),
          timeout = std::chrono::milliseconds(config.integer("STORE_TIMEOUT_MS", 2000)),
          breaker = host.breaker("store")](std::int64_t store_id) {
    platform::Response reply;
    try {
      auto store = platform::HttpClient::to(url, timeout);
      store.guard(breaker);
      reply = store.get("/stores/" + std::to_string(store_id));
    } catch (const std::exception& error) {
      platform::log::warn("store did not answer whether a store exists",
                          {{"storeId", std::to_string(store_id)}, {"error", error.what()}});
      throw platform::unavailable("the store service cannot say now whether store " + std::to_string(store_id) +
                                  " exists; nothing was made, try again");
    }
    if (reply.status == 200) return true;
    if (reply.status == 404) return false;
    platform::log::warn("store answered oddly whether a store exists",
                        {{"storeId", std::to_string(store_id)}, {"status", std::to_string(reply.status)}});
    throw platform::unavailable("the store service answered " + std::to_string(reply.status) + " for store " +
                                std::to_string(store_id) + "; nothing was made, try again");
  };
}

}  // namespace auth
