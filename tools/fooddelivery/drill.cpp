// fooddelivery drill c5: the seeds' circuit-breaker demonstration, told as a story. Load
// of place-and-cancel orders (cancel calls payment synchronously, C4) runs three times:
// with no fault; with payment slowed past the order service's timeout, when the breaker
// opens and cancels fail fast to their fallback (the refund follows by event); and with
// the fault removed, when probes close the breaker again.
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "command.hpp"
#include "load.hpp"
#include "platform/clock.hpp"
#include "platform/jwt.hpp"

namespace fd::cli {

namespace {

struct DrillOptions {
  LoadOptions load;
  Origin order{"127.0.0.1", env_port("FD_ORDER_PORT", 8082)};
  Origin payment{"127.0.0.1", env_port("FD_PAYMENT_PORT", 8083)};
  std::string data_dir = "data";
  int delay_ms = 700;
  std::chrono::seconds settle_timeout{30};
};

struct BreakerView {
  std::string state = "UNKNOWN";
  std::int64_t calls = 0, failures = 0, rejected = 0, opened = 0;
};

class Drill {
 public:
  explicit Drill(DrillOptions options)
      : options_(std::move(options)), secret_(jwt_secret(options_.data_dir)) {}

  void fault(int delay_ms) {
    // A slowed payment serves the calls queued before this one first.
    Client payment(options_.payment, std::chrono::seconds(30));
    auto reply = payment.call("PUT", "/internal/faults", token(), R"({"delayMs":)" + std::to_string(delay_ms) + "}");
    if (reply.status == 0) throw std::runtime_error(reply.body);
    if (reply.status == 404)
      throw std::runtime_error("fault injection is off in the payment service; restart the platform with it on: "
                               "make down && make up FD_FAULTS=1");
    if (reply.status != 200) throw std::runtime_error("payment refused the fault: " + reply.body);
  }

  BreakerView breaker() {
    Client order(options_.order, std::chrono::seconds(2));
    auto reply = order.call("GET", "/internal/breakers", token());
    if (reply.status == 0) throw std::runtime_error(reply.body);
    if (reply.status != 200) throw std::runtime_error("cannot read the order service's breakers: " + reply.body);
    auto parsed = boost::json::parse(reply.body);
    const auto& b = parsed.at("payment").as_object();
    return {std::string(b.at("state").as_string()), b.at("calls").to_number<std::int64_t>(),
            b.at("failures").to_number<std::int64_t>(), b.at("rejected").to_number<std::int64_t>(),
            b.at("opened").to_number<std::int64_t>()};
  }

  LoadReport phase(const char* title) {
    std::printf("\n%s\n", title);
    auto report = run_load(options_.load);
    const auto& cancels = report.by_operation_ms["cancel"];
    LoadReport only;
    only.latencies_ms = cancels;
    std::printf("   %lld requests, availability %.2f %%, cancel latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                static_cast<long long>(report.requests()), report.availability(), only.percentile(50),
                only.percentile(99), only.percentile(100));
    return report;
  }

  void show(const BreakerView& b) {
    std::printf("   breaker order→payment: %s (calls %lld, failed %lld, failed fast %lld, opened %lld times)\n",
                b.state.c_str(), static_cast<long long>(b.calls), static_cast<long long>(b.failures),
                static_cast<long long>(b.rejected), static_cast<long long>(b.opened));
  }

  int run() {
    fault(0);
    phase("1. No fault: customers place orders and cancel them at once (cancel asks payment synchronously)");
    auto before = breaker();
    show(before);

    fault(options_.delay_ms);
    char title[200];
    std::snprintf(title, sizeof title,
                  "2. Payment slowed by %d ms, past the order service's timeout: the breaker opens and cancels "
                  "fail fast to their fallback (the refund follows from OrderCanceled)",
                  options_.delay_ms);
    phase(title);
    auto during = breaker();
    show(during);
    bool opened = during.opened > before.opened;

    fault(0);
    auto closed = breaker();
    auto deadline = std::chrono::steady_clock::now() + options_.settle_timeout;
    std::printf("\n3. Fault removed: after its wait the breaker lets probes through and closes when they succeed\n");
    while (true) {
      run_load(options_.load);
      closed = breaker();
      if (closed.state == "CLOSED" || std::chrono::steady_clock::now() >= deadline) break;
    }
    phase("   load again with the breaker closed:");
    show(closed);

    if (opened && closed.state == "CLOSED") {
      std::printf("\nC5 verdict: ok — CLOSED → OPEN (%lld calls failed fast) → CLOSED\n",
                  static_cast<long long>(during.rejected - before.rejected));
      return 0;
    }
    std::printf("\nC5 verdict: FAILED — the breaker %s\n",
                opened ? "did not close again" : "did not open while payment was slow");
    return 1;
  }

 private:
  // A service token per call, as the services mint them: one lives a minute, a drill longer.
  std::string token() const {
    auto now = platform::now_s();
    return platform::sign_jwt({"drill", "service", "", now, now + platform::kServiceTokenSeconds, platform::new_id()},
                              secret_);
  }

  DrillOptions options_;
  std::string secret_;
};

}  // namespace

Command drill_command(CLI::App& cli) {
  auto options = std::make_shared<DrillOptions>();
  options->load.concurrency = 4;
  options->load.duration = std::chrono::seconds(5);
  options->load.mix = {{"cancel", 1}};
  if (const char* dir = std::getenv("FD_DATA_DIR")) options->data_dir = dir;
  auto* drill = cli.add_subcommand("drill", "run a resilience drill that tells its story (c5: the circuit breaker)");
  drill->require_subcommand(1);
  auto* app = drill->add_subcommand("c5", "the circuit-breaker drill (C5)");
  app->footer("Needs the platform started with fault injection on:\n  make down && make up FD_FAULTS=1");
  add_gateway_option(*app, options->load.gateway);
  auto origin = [](Origin& into) { return [&into](const std::string& url) { into = parse_origin(url); }; };
  add_read_option(*app, "--order", origin(options->order),
                  "the order service, for its breaker's state (default http://127.0.0.1:$FD_ORDER_PORT or :8082)")
      ->type_name("URL");
  add_read_option(*app, "--payment", origin(options->payment),
                  "the payment service, for the fault (default http://127.0.0.1:$FD_PAYMENT_PORT or :8083)")
      ->type_name("URL");
  app->add_option("--data", options->data_dir, "the platform's data folder holding jwt.secret (default $FD_DATA_DIR or ./data)")
      ->type_name("DIR");
  app->add_option("-c", options->load.concurrency, "concurrent users per phase")
      ->type_name("N")
      ->check(at_least(1))
      ->capture_default_str();
  app->add_option_function<int>(
         "-d", [options](int seconds) { options->load.duration = std::chrono::seconds(seconds); },
         "length of each phase (default 5)")
      ->type_name("SECONDS")
      ->check(at_least(1));
  app->add_option("--delay", options->delay_ms, "how slow payment becomes (the order service gives up at 610)")
      ->type_name("MS")
      ->check(at_least(1))
      ->capture_default_str();
  return {drill, [options] {
            try {
              return Drill(*options).run();
            } catch (const std::exception& error) {
              std::fprintf(stderr, "fooddelivery drill: %s\n", error.what());
              return 1;
            }
          }};
}

}  // namespace fd::cli
