#pragma once
// What every service process shares: config, logs, its database, the bus, the HTTP
// server with /health. A service's main() only lists its parts.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/circuit_breaker.hpp"
#include "platform/config.hpp"
#include "platform/db.hpp"
#include "platform/identity.hpp"
#include "platform/messaging.hpp"
#include "platform/router.hpp"

namespace platform {

class ServiceHost {
 public:
  explicit ServiceHost(std::string name);
  ~ServiceHost();

  const Config& config() const { return config_; }
  Db& db() { return *db_; }
  const Identity& identity() const { return identity_; }
  Identity& identity() { return identity_; }
  Router& router() { return router_; }
  // Extra readiness condition for /health (e.g. "catalog received"); empty string = ready.
  void readiness(std::function<std::string()> check) { readiness_ = std::move(check); }
  // The breaker guarding calls to a dependency, configured by FD_BREAKER_<NAME>_* (WINDOW,
  // MIN_CALLS, FAILURE_RATE_PERCENT, SLOW_RATE_PERCENT, SLOW_MS, OPEN_WAIT_MS, PROBES); its
  // state and counts appear on /metrics and GET /internal/breakers.
  std::shared_ptr<CircuitBreaker> breaker(const std::string& dependency);

  // A task run every period while the service serves (recovery of interrupted work); its
  // errors are logged, and it stops before the database closes.
  void every(std::chrono::milliseconds period, std::function<void()> task) {
    periodic_.emplace_back(period, std::move(task));
  }

  // HTTP threads unless FD_HTTP_THREADS says otherwise: more where handlers wait on other services.
  void default_http_threads(int threads) { default_http_threads_ = threads; }

  // Serves until SIGTERM/SIGINT; returns the process exit code.
  int run(std::map<std::string, Reaction> reactions = {});

 private:
  std::string name_;
  Config config_;
  std::unique_ptr<Db> db_;
  Identity identity_;
  Router router_;
  std::function<std::string()> readiness_;
  int default_http_threads_ = 1;
  std::vector<std::shared_ptr<CircuitBreaker>> breakers_;
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> periodic_;
};

}  // namespace platform

namespace platform {

// A service's main(): builds the host, lets setup add routes and return the reactions,
// serves, and turns a start-up failure into a logged error and exit code 1.
int run_service(std::string name, const std::function<std::map<std::string, Reaction>(ServiceHost&)>& setup);

}  // namespace platform
