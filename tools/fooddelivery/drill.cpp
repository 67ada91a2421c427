// fooddelivery drill c5: the seeds' circuit-breaker demonstration, told as a story. Load
// of place-and-cancel orders (cancel calls payment synchronously, C4) runs three times:
// with no fault; with payment slowed past the order service's timeout, when the breaker
// opens and cancels fail fast to their fallback (the refund follows by event); and with
// the fault removed, when probes close the breaker again.
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "arguments.hpp"
#include "load.hpp"
#include "platform/clock.hpp"
#include "platform/http_client.hpp"
#include "platform/jwt.hpp"

namespace fd::cli {

namespace {

struct DrillOptions {
  LoadOptions load;
  std::string order_url = "http://127.0.0.1:8082";
  std::string payment_url = "http://127.0.0.1:8083";
  std::string data_dir = "data";
  int delay_ms = 700;
  std::chrono::seconds settle_timeout{30};
};

struct BreakerView {
  std::string state = "UNKNOWN";
  std::int64_t calls = 0, failures = 0, rejected = 0, opened = 0;
};

std::string read_secret(const std::string& data_dir) {
  if (const char* secret = std::getenv("FD_JWT_SECRET"); secret && *secret) return secret;
  std::ifstream in(data_dir + "/jwt.secret");
  std::string secret;
  if (!(in >> secret))
    throw std::runtime_error("no JWT secret: set FD_JWT_SECRET or point --data at the platform's data folder (" +
                             data_dir + "/jwt.secret not readable)");
  return secret;
}

class Drill {
 public:
  explicit Drill(DrillOptions options)
      : options_(std::move(options)),
        token_(platform::sign_jwt({"drill", "service", "", platform::now_s(), platform::now_s() + 3600},
                                  read_secret(options_.data_dir))) {}

  void fault(int delay_ms) {
    // A slowed payment serves the calls queued before this one first.
    auto payment = platform::HttpClient::to(options_.payment_url, std::chrono::seconds(30));
    auto reply = payment.send("PUT", "/internal/faults", R"({"delayMs":)" + std::to_string(delay_ms) + "}",
                              {{"Authorization", "Bearer " + token_}});
    if (reply.status == 404)
      throw std::runtime_error("fault injection is off in the payment service; restart the platform with it on: "
                               "make down && make up FD_FAULTS=1");
    if (reply.status != 200) throw std::runtime_error("payment refused the fault: " + reply.body);
  }

  BreakerView breaker() {
    auto order = platform::HttpClient::to(options_.order_url);
    auto reply = order.send("GET", "/internal/breakers", {}, {{"Authorization", "Bearer " + token_}});
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
  DrillOptions options_;
  std::string token_;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: fooddelivery drill c5 [--gateway URL] [--order URL] [--payment URL] [--data DIR]\n"
               "                             [-c N] [-d SECONDS] [--delay MS]\n"
               "\n"
               "The circuit-breaker drill (C5). Needs the platform started with fault injection on:\n"
               "  make down && make up FD_FAULTS=1\n"
               "\n"
               "  --gateway URL   the gateway (default http://127.0.0.1:8088)\n"
               "  --order URL     the order service, for its breaker's state (default http://127.0.0.1:8082)\n"
               "  --payment URL   the payment service, for the fault (default http://127.0.0.1:8083)\n"
               "  --data DIR      the platform's data folder holding jwt.secret (default ./data)\n"
               "  -c N            concurrent users per phase (default 4)\n"
               "  -d SECONDS      length of each phase (default 5)\n"
               "  --delay MS      how slow payment becomes (default 700; the order service gives up at 610)\n");
}

}  // namespace

int drill(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "c5") {
    usage(argc >= 2 && std::string(argv[1]) == "--help" ? stdout : stderr);
    return argc >= 2 && std::string(argv[1]) == "--help" ? 0 : 2;
  }
  DrillOptions options;
  options.load.concurrency = 4;
  options.load.duration = std::chrono::seconds(5);
  options.load.mix = {{"cancel", 1}};
  auto env_origin = [](const char* name, std::string& into) {
    if (const char* port = std::getenv(name)) into = std::string("http://127.0.0.1:") + port;
  };
  env_origin("FD_ORDER_PORT", options.order_url);
  env_origin("FD_PAYMENT_PORT", options.payment_url);
  if (const char* port = std::getenv("FD_GATEWAY_PORT")) options.load.port = static_cast<std::uint16_t>(std::atoi(port));
  if (const char* dir = std::getenv("FD_DATA_DIR")) options.data_dir = dir;
  try {
    Arguments args(argc, argv, 2);
    while (args.next()) {
      auto& arg = args.flag();
      auto value = [&] { return args.value(); };
      if (arg == "--help" || arg == "-h") {
        usage(stdout);
        return 0;
      } else if (arg == "--gateway") {
        std::tie(options.load.host, options.load.port) = parse_origin(value());
      } else if (arg == "--order") {
        options.order_url = value();
      } else if (arg == "--payment") {
        options.payment_url = value();
      } else if (arg == "--data") {
        options.data_dir = value();
      } else if (arg == "-c") {
        options.load.concurrency = static_cast<int>(args.number());
      } else if (arg == "-d") {
        options.load.duration = std::chrono::seconds(args.number());
      } else if (arg == "--delay") {
        options.delay_ms = static_cast<int>(args.number());
      } else {
        throw std::invalid_argument("unknown option " + arg);
      }
    }
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "fooddelivery drill: %s\n\n", error.what());
    usage(stderr);
    return 2;
  }
  try {
    return Drill(options).run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fooddelivery drill: %s\n", error.what());
    return 1;
  }
}

}  // namespace fd::cli
