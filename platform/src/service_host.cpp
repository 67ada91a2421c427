#include "platform/service_host.hpp"

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <sched.h>
#include <boost/json.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <tuple>

#include "platform/event_stream.hpp"
#include "platform/http_server.hpp"
#include "platform/leadership.hpp"
#include "platform/clock.hpp"
#include "platform/crypto.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/migrations.hpp"
#include "platform/problem.hpp"
#include "contracts/events.hpp"
#include "platform/unit_of_work.hpp"
#include "platform/thread_name.hpp"

namespace platform {

ServiceHost::ServiceHost(std::string name)
    : name_(std::move(name)), config_(Config::load()), identity_(config_.require("JWT_SECRET"), config_.integer("TOKEN_TTL_SECONDS", 900)) {
  log::init(name_);
  draw_openssl_randomness_from_kernel();  // before the bus connects: see platform/crypto.hpp
  auto url = config_.get("DB_URL", "sqlite:" + name_ + ".db");
  db_ = open_database(url);
  migrate_messaging(*db_);
  wake_watches_on_commit(*db_);  // a live stream sends what this process commits at once
  stream_reread_ = std::chrono::milliseconds(config_.integer("STREAM_REREAD_MS", kWatchEvery.count()));
  if (stream_reread_.count() < 1)
    throw std::invalid_argument("FD_STREAM_REREAD_MS must be at least 1 (milliseconds), not " +
                                std::to_string(stream_reread_.count()));
  // Logouts reach every service as TokenRevoked events (see run()); a revoked token stops
  // working everywhere, not only at the auth service.
  create_tables(*db_,
                "CREATE TABLE IF NOT EXISTS fd_revoked_tokens (token_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);"
                "CREATE TABLE IF NOT EXISTS fd_revoked_sessions (session_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);");
  identity_.revocations([db = db_.get()](const Claims& claims) {
    return db
        ->query_one("SELECT 1 FROM fd_revoked_tokens WHERE token_id = ? "
                    "UNION ALL SELECT 1 FROM fd_revoked_sessions WHERE session_id = ?",
                    {claims.token_id, claims.session_id})
        .has_value();
  });
}

ServiceHost::~ServiceHost() = default;

void ServiceHost::migrate(const std::vector<Migration>& schema) {
  for (const auto& migration : platform::migrate(*db_, schema))
    log::info("schema migrated", {{"migration", migration.name}});
}

void check_subscriptions(const std::string& service, const std::map<std::string, Reaction>& reactions) {
  std::set<std::string> expected;
  for (const auto& contract : contracts::kCatalogue)
    if (contracts::consumed_by(contract, service)) expected.emplace(contract.type);
  for (const auto& [type, reaction] : reactions)
    if (!expected.erase(type))
      throw std::logic_error("the " + service + " service reacts to " + type +
                             ", but its contract does not list " + service + " among the consumers");
  if (!expected.empty())
    throw std::logic_error("the contract of " + *expected.begin() + " lists the " + service +
                           " service among its consumers, but it does not react to it");
}

std::shared_ptr<CircuitBreaker> ServiceHost::breaker(const std::string& dependency) {
  std::string key = "BREAKER_";
  for (char c : dependency) key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  BreakerOptions options;
  auto setting = [&](const char* name, std::int64_t fallback) { return config_.integer(key + "_" + name, fallback); };
  options.window = static_cast<std::size_t>(setting("WINDOW", static_cast<std::int64_t>(options.window)));
  options.min_calls = static_cast<std::size_t>(setting("MIN_CALLS", static_cast<std::int64_t>(options.min_calls)));
  options.failure_rate = static_cast<double>(setting("FAILURE_RATE_PERCENT", 50)) / 100.0;
  options.slow_rate = static_cast<double>(setting("SLOW_RATE_PERCENT", 50)) / 100.0;
  options.slow_call = std::chrono::milliseconds(setting("SLOW_MS", options.slow_call.count()));
  options.open_wait = std::chrono::milliseconds(setting("OPEN_WAIT_MS", options.open_wait.count()));
  options.probes = static_cast<std::size_t>(setting("PROBES", static_cast<std::int64_t>(options.probes)));
  auto breaker = std::make_shared<CircuitBreaker>(dependency, options);
  breakers_.push_back(breaker);
  return breaker;
}

namespace {

// Faults on demand for drills (C5): off unless FD_FAULTS=1, and only through an internal
// endpoint that the gateway does not route.
struct Faults {
  std::atomic<std::int64_t> delay_ms{0};
  std::atomic<std::int64_t> fail_percent{0};
  std::atomic<std::uint64_t> counter{0};
};

boost::json::object breakers_json(const std::vector<std::shared_ptr<CircuitBreaker>>& breakers) {
  boost::json::object out;
  for (const auto& breaker : breakers) {
    auto counts = breaker->counts();
    out[breaker->name()] = {{"state", to_string(breaker->state())},
                            {"calls", counts.calls},
                            {"failures", counts.failures},
                            {"slow", counts.slow},
                            {"rejected", counts.rejected},
                            {"opened", counts.opened}};
  }
  return out;
}

// What is read at the moment of a scrape: the outbox's depth, the dead letters, each breaker's state
// and counts.
std::vector<prometheus::MetricFamily> families_now(const std::vector<std::shared_ptr<CircuitBreaker>>& breakers,
                                                   std::size_t outbox_pending, std::size_t dead_letters) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  out.push_back(metrics::family("fd_outbox_pending", "Events committed but not yet published.", MetricType::Gauge));
  metrics::add(out.back(), static_cast<double>(outbox_pending));
  out.push_back(metrics::family("fd_dead_letters",
                                "Events the consumer gave up on, kept until replayed (fooddelivery dead-letters).",
                                MetricType::Gauge));
  metrics::add(out.back(), static_cast<double>(dead_letters));
  if (breakers.empty()) return out;
  out.push_back(metrics::family("fd_circuit_breaker_state",
                                "1 for the state the breaker guarding a dependency is in, 0 for the others.",
                                MetricType::Gauge));
  for (const auto& breaker : breakers) {
    auto current = breaker->state();
    for (auto state : {CircuitBreaker::State::Closed, CircuitBreaker::State::Open, CircuitBreaker::State::HalfOpen})
      metrics::add(out.back(), state == current ? 1 : 0, {{"breaker", breaker->name()}, {"state", to_string(state)}});
  }
  const std::tuple<const char*, const char*, std::uint64_t CircuitBreaker::Counts::*> counters[] = {
      {"calls", "Calls made through the breaker.", &CircuitBreaker::Counts::calls},
      {"failures", "Calls through the breaker that failed.", &CircuitBreaker::Counts::failures},
      {"slow", "Calls through the breaker slower than its slow-call threshold.", &CircuitBreaker::Counts::slow},
      {"rejected", "Calls the open breaker refused without making them.", &CircuitBreaker::Counts::rejected},
      {"opened", "Times the breaker opened.", &CircuitBreaker::Counts::opened}};
  for (const auto& [name, help, member] : counters) {
    out.push_back(metrics::family(std::string("fd_circuit_breaker_") + name + "_total", help, MetricType::Counter));
    for (const auto& breaker : breakers)
      metrics::add(out.back(), static_cast<double>(breaker->counts().*member), {{"breaker", breaker->name()}});
  }
  return out;
}

// (Kept apart from metrics_text: one gauge, easy to move to another metrics library.)
}  // namespace

int ServiceHost::run(std::map<std::string, Reaction> reactions) {
  MessagingOptions bus;
  bus.bus_url = config_.get("BUS_URL", "");
  bus.nats = NatsEndpoint::from(config_);
  bus.relay_poll = std::chrono::milliseconds(config_.integer("RELAY_POLL_MS", bus.relay_poll.count()));
  bus.durable = name_;
  bus.stream_replicas = static_cast<int>(config_.integer("NATS_STREAM_REPLICAS", bus.stream_replicas));
  bus.kafka_fetch_wait =
      std::chrono::milliseconds(config_.integer("KAFKA_FETCH_WAIT_MS", bus.kafka_fetch_wait.count()));
  bus.max_deliver = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, config_.integer("MAX_DELIVER", static_cast<std::int64_t>(bus.max_deliver))));
  bus.stream_max_age = std::chrono::seconds(config_.integer("STREAM_MAX_AGE", bus.stream_max_age.count()));
  bus.stream_max_bytes = config_.integer("STREAM_MAX_BYTES", bus.stream_max_bytes);
  bus.stream_duplicate_window = std::chrono::seconds(config_.integer(
      "STREAM_DUPLICATE_WINDOW",
      std::chrono::duration_cast<std::chrono::seconds>(bus.stream_duplicate_window).count()));
  Messaging messaging(*db_, bus);

  router_.add("GET", "/health", [&](Request&) {
    std::string waiting = readiness_ ? readiness_() : std::string();
    if (waiting.empty() && !messaging.consumer_ready())
      waiting = std::string("its partitions: the ") + messaging.broker() + " consumer group has not assigned them yet";
    boost::json::object body{{"service", name_},
                             {"status", waiting.empty() ? "UP" : "STARTING"},
                             {"bus", messaging.connected() ? "connected" : "disconnected"},
                             {"broker", messaging.broker()},
                             {"outboxPending", messaging.pending_outbox()}};
    if (!waiting.empty()) body["waitingFor"] = waiting;
    return json_response(waiting.empty() ? 200 : 503, body);
  });

  router_.add("GET", "/metrics", [&](Request&) {
    auto now = families_now(breakers_, messaging.pending_outbox(), messaging.dead_letter_count());
    for (const auto& read : scrapes_)
      for (auto& family : read()) now.push_back(std::move(family));
    return Response{200, "text/plain; version=0.0.4", metrics::text(std::move(now)), {}};
  });
  // The events this service's consumer gave up on (fooddelivery dead-letters): for operators,
  // never routed by the gateway (/internal), answering only to the role "service".
  router_.add("GET", "/internal/dead-letters", [&](Request& request) {
    identity_.require(request, "service");
    boost::json::array letters;
    for (const auto& letter : messaging.dead_letters())
      letters.push_back({{"id", letter.id},
                         {"type", letter.type},
                         {"body", letter.body},
                         {"headers", letter.headers},
                         {"error", letter.error},
                         {"attempts", letter.attempts},
                         {"failedAt", letter.failed_at}});
    return json_response(200, {{"service", name_}, {"deadLetters", std::move(letters)}});
  });
  router_.add("POST", "/internal/dead-letters/replay", [&](Request& request) {
    identity_.require(request, "service");
    auto body = request.json_object();
    const auto* id = body.if_contains("id");
    const auto* all = body.if_contains("all");
    const bool everything = all && all->is_bool() && all->get_bool();
    if (everything == (id != nullptr) || (id && (!id->is_string() || id->get_string().empty())))
      throw bad_request("give either a non-empty string id or \"all\": true");
    const std::string which = id ? std::string(id->get_string()) : std::string();
    auto replays = messaging.replay_dead_letters(which);
    if (!everything && replays.empty()) throw Problem(404, "Not Found", "no dead letter " + which + " in the " + name_ + " service");
    boost::json::array out;
    for (const auto& replay : replays)
      out.push_back({{"id", replay.id}, {"applied", replay.applied}, {"error", replay.error}});
    return json_response(200, {{"service", name_}, {"replayed", std::move(out)}});
  });
  // Every route this service serves, so a test can hold them to the OpenAPI document.
  router_.add("GET", "/internal/routes", [&](Request& request) {
    identity_.require(request, "service");
    boost::json::array routes;
    for (const auto& route : router_.routes()) routes.emplace_back(route);
    return json_response(200, {{"service", name_}, {"routes", std::move(routes)}});
  });
  router_.add("GET", "/internal/breakers", [&](Request& request) {
    identity_.require(request, "service");
    return json_response(200, breakers_json(breakers_));
  });

  auto faults = std::make_shared<Faults>();
  if (config_.get("FAULTS", "0") == "1") {
    log::warn("fault injection is enabled (FD_FAULTS=1): PUT /internal/faults");
    router_.add("PUT", "/internal/faults", [&, faults](Request& request) {
      identity_.require(request, "service");
      auto body = request.json_object();
      auto number = [&](const char* key) -> std::int64_t {
        auto* value = body.if_contains(key);
        if (!value) return 0;
        if (!value->is_int64() || value->get_int64() < 0) throw bad_request(std::string(key) + " must be a non-negative integer");
        return value->get_int64();
      };
      faults->delay_ms = std::min<std::int64_t>(number("delayMs"), 60000);
      faults->fail_percent = std::min<std::int64_t>(number("failPercent"), 100);
      log::warn("faults set", {{"delayMs", std::to_string(faults->delay_ms.load())},
                               {"failPercent", std::to_string(faults->fail_percent.load())}});
      return json_response(200, {{"delayMs", faults->delay_ms.load()}, {"failPercent", faults->fail_percent.load()}});
    });
    router_.around([faults](Request& request, const Handler& next) {
      if (request.path == "/health" || request.path == "/metrics" || request.path == "/internal/faults")
        return next(request);
      if (auto delay = faults->delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      auto percent = faults->fail_percent.load();
      if (percent > 0 && static_cast<std::int64_t>(faults->counter++ % 100) < percent)
        throw Problem(500, "Injected Fault", "a failure injected for a drill (FD_FAULTS)");
      return next(request);
    });
  }

  ServerOptions options;
  options.host = config_.get("HOST", options.host);
  options.port = static_cast<std::uint16_t>(config_.integer("PORT", 0));
  options.threads = static_cast<int>(config_.integer("HTTP_THREADS", default_http_threads_));
  options.stream_heartbeat =
      std::chrono::milliseconds(config_.integer("STREAM_HEARTBEAT_MS", options.stream_heartbeat.count()));
  options.body_limit = static_cast<std::size_t>(config_.integer("BODY_LIMIT", 64 * 1024));
  // Password hashing takes a core each: one worker per core (at most 8), four waiting per worker.
  auto cores = static_cast<std::int64_t>(std::max(1U, std::thread::hardware_concurrency()));
  options.cpu_threads = static_cast<int>(config_.integer("CPU_THREADS", std::min<std::int64_t>(cores, 8)));
  options.cpu_queue = static_cast<int>(config_.integer("CPU_QUEUE", 4 * options.cpu_threads));
  HttpServer server(router_, options);

  reactions.insert(on<contracts::TokenRevoked>([](Db& tx, const contracts::TokenRevoked& revoked) {
    tx.exec("DELETE FROM fd_revoked_tokens WHERE expires_at < ?", {now_s()});
    tx.exec("DELETE FROM fd_revoked_sessions WHERE expires_at < ?", {now_s()});
    if (revoked.tokenId)
      tx.exec("INSERT INTO fd_revoked_tokens (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING",
              {*revoked.tokenId, revoked.expiresAt});
    // A login ends once: no token is issued in it afterwards, so the first expiry covers them all.
    if (revoked.sessionId)
      tx.exec("INSERT INTO fd_revoked_sessions (session_id, expires_at) VALUES (?, ?) "
              "ON CONFLICT (session_id) DO NOTHING",
              {*revoked.sessionId, revoked.expiresAt});
  }));
  check_subscriptions(name_, reactions);
  messaging.start(std::move(reactions));

  std::mutex stop_mutex;
  std::condition_variable stop_signal;
  bool stopping = false;
  std::vector<std::thread> workers;
  for (const auto& periodic : periodic_) {
    workers.emplace_back([&, periodic] {
      name_this_thread(periodic.work);
      Leadership leadership(*db_, periodic.work, periodic.period);
      std::unique_lock lock(stop_mutex);
      while (!stop_signal.wait_for(lock, periodic.period, [&] { return stopping; })) {
        lock.unlock();
        try {
          if (leadership.leads()) periodic.task();
        } catch (const std::exception& error) {
          log::error("periodic task failed; it runs again next period",
                     {{"work", periodic.work}, {"error", error.what()}});
        }
        lock.lock();
      }
    });
  }

  log::info("listening", {{"port", std::to_string(server.port())}, {"broker", messaging.broker()}});
  server.run();
  log::info("stopping");
  {
    std::lock_guard lock(stop_mutex);
    stopping = true;
  }
  stop_signal.notify_all();
  for (auto& worker : workers) worker.join();
  parts_.clear();
  messaging.stop();
  return 0;
}

}  // namespace platform

namespace platform {

namespace {

// glibc raises its mmap threshold to the size of every large block freed (up to 32 MiB), so
// that after one Argon2 hash (7 MiB) every later one stays in the heap, resident for good; a
// fixed threshold maps large blocks and gives them back when freed. Two arenas instead of
// sixteen (8 per core) keep the threads' freed memory from being spread where no thread
// reuses it. Fixing the mmap threshold also fixes the trim threshold at 128 KiB: a heap whose
// top went more than that above its need, as a batch of events or rows does, was shrunk
// (brk) and grown again at once, each shrink stopping the other core to flush its TLB, a
// quarter of the KakaoTalk sender's time; free memory up to 4 MiB stays at the top instead.
void keep_memory_small() {
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
  mallopt(M_ARENA_MAX, 2);
}

// The platform's processes hand each other work in chains (a request's commit wakes the relay,
// which wakes the bus, which wakes the consumers, whose commits wake theirs ...). In Linux's
// normal class a woken thread preempts the one that woke it, which on a few cores means a
// switch away from a burst of work half done and another back to it. In SCHED_BATCH a woken
// thread waits for a core until the running one blocks, which ours do at the end of each
// burst, or its slice ends: at 16 orders in flight 40 % fewer switches and 10-15 % less CPU an
// order (bench/README.md, "SCHED_BATCH"). Called before the service starts a thread, so that
// every thread inherits it. "normal" puts the process back in the normal class.
void enter_scheduling_class(const Config& config) {
  auto policy = config.get("SCHED_POLICY", "batch");
  int chosen = policy == "batch" ? SCHED_BATCH : policy == "normal" ? SCHED_OTHER : -1;
  if (chosen < 0) throw std::invalid_argument("FD_SCHED_POLICY must be batch or normal, not '" + policy + "'");
  sched_param priority{};  // both classes take priority 0; nice values apply as before
  if (sched_setscheduler(0, chosen, &priority) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot enter the scheduling class FD_SCHED_POLICY=" + policy);
}

}  // namespace

int run_service(std::string name, int argc, char** argv,
                const std::function<std::map<std::string, Reaction>(ServiceHost&)>& setup,
                const std::vector<ServiceCommand>& commands) {
  CLI::App app("The " + name + " service of the food-delivery platform. It serves HTTP and consumes its events "
               "until SIGTERM; its settings come from FD_* variables (FD_PORT, FD_DB_URL, FD_BUS_URL, FD_NATS_URL, "
               "FD_NATS_USER, FD_NATS_PASSWORD, FD_JWT_SECRET, ...) or the file named by FD_CONFIG; see scripts/platform --help.",
               "fd-" + name);
  std::vector<CLI::Option*> chosen;
  for (const auto& command : commands) chosen.push_back(app.add_flag(command.flag, command.help));
  for (std::size_t i = 0; i < chosen.size(); ++i)
    for (std::size_t j = 0; j < chosen.size(); ++j)
      if (i != j) chosen[i]->excludes(chosen[j]);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is 0; a usage error is 2, as for every command of the project.
    return app.exit(error) == 0 ? 0 : 2;
  }
  for (std::size_t i = 0; i < commands.size(); ++i)
    if (*chosen[i]) return commands[i].run();
  keep_memory_small();
  try {
    enter_scheduling_class(Config::load());
    ServiceHost host(name);
    auto reactions = setup(host);
    return host.run(std::move(reactions));
  } catch (const std::exception& error) {
    log::init(name);
    log::error("service failed to start", {{"error", error.what()}});
    return 1;
  }
}

}  // namespace platform
