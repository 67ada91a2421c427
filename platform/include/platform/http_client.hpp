#pragma once
// The one HTTP client: keep-alive connection to one origin, a deadline on every call.
// Not thread-safe: one client per thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platform/http.hpp"

namespace platform {

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  // Throws std::runtime_error naming the origin when the call fails or times out.
  Response send(const std::string& method, const std::string& target, const std::string& body = {},
                const Headers& headers = {});
  Response get(const std::string& target, const Headers& headers = {}) { return send("GET", target, {}, headers); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform
