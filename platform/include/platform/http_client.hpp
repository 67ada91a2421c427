#pragma once
// The one HTTP client: a keep-alive connection to one origin of a service's replicas, a
// deadline on every call, and the next origin when one cannot be connected to. An https://
// origin is spoken to over TLS 1.2 or later, its certificate verified against the system's
// CA store (and trust_ca_file()) and required to name the origin's host.
// Not thread-safe: one client per thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "platform/circuit_breaker.hpp"
#include "platform/http.hpp"

namespace platform {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Thrown instead of calling while the client's circuit breaker is open: the caller's
// fallback decides what happens then.
struct CircuitOpen : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where an HTTP server listens.
struct Origin {
  std::string host = "127.0.0.1";
  std::uint16_t port = 80;
  bool tls = false;  // https://

  std::string text() const { return host + ":" + std::to_string(port); }
  std::string url() const { return (tls ? "https://" : "http://") + text(); }
};

// http://host:port, https://host:port or host:port (a path is ignored; the port defaults to
// 80, or 443 for https); throws std::invalid_argument naming a bad port or another scheme.
Origin parse_origin(const std::string& url);

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // A request goes to one origin; one that cannot be connected to is skipped for the next.
  explicit HttpClient(std::vector<Origin> origins,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // For origins written as http(s)://host:port, comma-separated when a service runs in
  // replicas (the form of FD_<SERVICE>_URL).
  static HttpClient to(const std::string& origins,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  // Guards every call with the breaker (shared by the clients of one dependency): a failure,
  // a timeout or a 5xx counts against it; while it is open, send() throws CircuitOpen.
  void guard(std::shared_ptr<CircuitBreaker> breaker);

  // Trusts the certificates of a PEM file (a private CA, a test's own) besides the system's
  // CA store, for this client's https:// origins. Throws std::invalid_argument naming the
  // file when it cannot be read, or when the client has no https:// origin to use it for.
  void trust_ca_file(const std::string& path);

  // Throws std::runtime_error naming the origin when the call fails or times out; a TLS
  // failure names the host and why (e.g. "certificate verify failed: hostname mismatch").
  Response send(const std::string& method, const std::string& target, const std::string& body = {},
                const Headers& headers = {});
  Response get(const std::string& target, const Headers& headers = {}) { return send("GET", target, {}, headers); }

 private:
  Response exchange(const std::string& method, const std::string& target, const std::string& body,
                    const Headers& headers);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace platform
