#pragma once
// The subcommands' one way to talk to the platform over HTTP: platform::HttpClient with the
// caller's bearer token, and an answer instead of an exception when none came, because
// under load or kills a missing answer is an outcome to count, not an error.
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/http_client.hpp"

namespace fd::cli {

using platform::Origin;
using platform::parse_origin;

struct Reply {
  int status = 0;  // 0: no answer (refused, reset, timed out); body then says why
  std::string body;

  // The body as JSON; null when it is none.
  boost::json::value json() const;
};

// One thread's keep-alive connection to one origin.
class Client {
 public:
  explicit Client(Origin origin, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  Reply call(const std::string& method, const std::string& target, const std::string& token = {},
             const std::string& body = {}, platform::Headers headers = {});

  const Origin& origin() const { return origin_; }

 private:
  Origin origin_;
  platform::HttpClient http_;
};

// One order placed as a careful client places it (the IETF draft "The Idempotency-Key HTTP
// Header Field"): a fresh key for the order, and the same request with the same key again
// while an answer leaves the order's fate unknown, so that a retry never places it twice:
//
//   OrderAttempts order;
//   Reply reply;
//   do reply = client.call("POST", "/orders", token, body, order.headers());
//   while (order.again(reply.status));
class OrderAttempts {
 public:
  // Enough to ride out a killed service's restart: about 16 s of backoff in all.
  static constexpr int kMaxAttempts = 20;

  OrderAttempts();
  platform::Headers headers() const { return {{"Idempotency-Key", key_}}; }
  // After each answer: whether to send the same request again, after a backoff of 50 ms
  // doubling up to 1 s. Yes for no answer (refused, reset, timed out), 502, 503, 504, and
  // 409, the draft's answer while the first request with the key is still being processed
  // (the order service waits for it instead, but a retry is what the draft asks of clients).
  bool again(int status);

 private:
  std::string key_;  // 128 random bits in hex
  int made_ = 0;
  std::chrono::milliseconds backoff_{50};
};

// A demo user's access token. While the answer is not 200 it asks again for `patience` (a
// platform that is being restarted); then it throws with the last answer.
std::string login(Client& client, const std::string& user, std::chrono::seconds patience = {});

// A field of a JSON object: text as it is, other values serialized; "" when absent or null.
std::string text_of(const boost::json::value& body, std::string_view field);
// A whole-number field; 0 when absent or not a whole number.
std::int64_t int_of(const boost::json::value& body, std::string_view field);

}  // namespace fd::cli
