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
#include "platform/metrics.hpp"
#include "platform/migrations.hpp"
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

  // A task run every period while the service serves (recovery of interrupted work), by the
  // one replica that leads it (Leadership, named `work`); its errors are logged, and it
  // stops before the database closes.
  void every(std::string work, std::chrono::milliseconds period, std::function<void()> task) {
    periodic_.push_back({std::move(work), period, std::move(task)});
  }

  // Brings the service's database to the newest of its schema migrations.
  void migrate(const std::vector<Migration>& schema);

  // A part that works in the background while the service serves (it starts in its
  // constructor); released when serving ends, before the database closes.
  void keep_while_serving(std::shared_ptr<void> part) { parts_.push_back(std::move(part)); }

  // Figures a service reads when /metrics is scraped (a queue's depth), beside the platform's
  // own; built with platform/metrics.hpp. Called on an HTTP thread.
  void on_scrape(std::function<std::vector<prometheus::MetricFamily>()> read) { scrapes_.push_back(std::move(read)); }

  // How often a live stream of a resource (watch, event_stream.hpp) reads it again when no
  // commit of this process woke it: FD_STREAM_REREAD_MS, kWatchEvery unless set.
  std::chrono::milliseconds stream_reread() const { return stream_reread_; }

  // HTTP threads unless FD_HTTP_THREADS says otherwise: more where handlers wait on other services.
  void default_http_threads(int threads) { default_http_threads_ = threads; }

  // Serves until SIGTERM/SIGINT; returns the process exit code. The reactions must be
  // exactly the events whose contract names this service among its consumers.
  int run(std::map<std::string, Reaction> reactions = {});

 private:
  std::string name_;
  Config config_;
  std::unique_ptr<Db> db_;
  Identity identity_;
  Router router_;
  std::function<std::string()> readiness_;
  int default_http_threads_ = 1;
  std::chrono::milliseconds stream_reread_;
  std::vector<std::shared_ptr<CircuitBreaker>> breakers_;
  struct Periodic {
    std::string work;
    std::chrono::milliseconds period;
    std::function<void()> task;
  };
  std::vector<Periodic> periodic_;
  std::vector<std::shared_ptr<void>> parts_;
  std::vector<std::function<std::vector<prometheus::MetricFamily>()>> scrapes_;
};

// Throws, naming the event, when the reactions are not exactly the events whose contract
// (contracts/events.hpp) lists the service as a consumer: the contract and the code agree.
void check_subscriptions(const std::string& service, const std::map<std::string, Reaction>& reactions);

}  // namespace platform

namespace platform {

// Another thing a service binary does instead of serving, chosen by a flag (e.g. the
// customer service's --rebuild); returns the exit code.
struct ServiceCommand {
  std::string flag;  // "--rebuild"
  std::string help;
  std::function<int()> run;
};

// A service's main(): reads the command line (--help, the commands), builds the host, lets
// setup add routes and return the reactions, serves, and turns a start-up failure into a
// logged error and exit code 1.
int run_service(std::string name, int argc, char** argv,
                const std::function<std::map<std::string, Reaction>(ServiceHost&)>& setup,
                const std::vector<ServiceCommand>& commands = {});

}  // namespace platform
