#pragma once
// A client of the platform's public API through the gateway, as a user's app would call it.
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "platform/http_client.hpp"

namespace fd::test {

struct Reply {
  int status = 0;
  std::string content_type;
  std::string location;
  boost::json::value body;  // null when the body is not JSON
  std::string raw;
  platform::Headers headers;

  std::string header(std::string_view name) const;  // "" when absent
  std::string detail() const;  // a problem+json answer's detail; "" when there is none
};

class Api {
 public:
  explicit Api(int gateway_port);
  // Logs in and keeps the token for the following calls.
  void login(const std::string& username, const std::string& password = "demo1234");
  void token(std::string token) { token_ = std::move(token); }
  const std::string& token() const { return token_; }

  // `headers` go with the Authorization header.
  Reply call(const std::string& method, const std::string& target, const std::string& body = {},
             const platform::Headers& headers = {});
  Reply get(const std::string& target) { return call("GET", target); }
  Reply post(const std::string& target, const boost::json::value& body) {
    return call("POST", target, boost::json::serialize(body));
  }

 private:
  platform::HttpClient client_;
  std::string token_;
};

// A customer's order body for POST /orders, delivered to 역삼역 (about 0.8 km from store 1).
boost::json::object order_request(std::int64_t store_id, std::int64_t menu_id, std::int64_t qty);

// Polls until the predicate holds or the timeout passes; returns whether it held. The default
// is generous because it only bounds a failure: on a busy machine a cluster that has just
// started (leases taken, consumers bound by replicas) took over 5 s for an order's first hops.
bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout = std::chrono::seconds(15));

// The bound for what waits on a bus that was killed and started again. A whole JetStream
// cluster restarted elects its metadata, stream and consumer leaders again (8 s on a quiet
// machine, more on a busy one), and the services' setup and publishing retry on a backoff of
// up to 5 s after that.
inline constexpr std::chrono::seconds kAfterBusRestart{60};

}  // namespace fd::test
