// fooddelivery load: siege for this platform. Concurrency, a duration or a count, a request
// mix, a live progress line, and at the end availability, codes, throughput and latency.
#include "load.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "command.hpp"

namespace fd::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct Tokens {
  std::string customer, owner, rider;
};

// One worker's view: its own connections, its own samples, merged at the end.
class Worker {
 public:
  Worker(const LoadOptions& options, const Tokens& tokens, std::atomic<std::int64_t>& requests,
         std::atomic<std::int64_t>& errors)
      : tokens_(tokens), requests_(requests), errors_(errors), client_(options.gateway) {
    order_body_ = boost::json::serialize(boost::json::object{{"storeId", options.store},
                                                             {"items", {{{"menuId", options.menu}, {"qty", 1}}}},
                                                             {"address", "서울 강남구 테헤란로 152"},
                                                             {"lat", 37.5006},
                                                             {"lon", 127.0364}});
  }

  void run(const std::string& operation) {
    if (operation == "place") place();
    else if (operation == "status") status();
    else if (operation == "cancel") cancel();
    else if (operation == "journey") journey();
  }

  LoadReport report;

 private:
  Reply call(const std::string& operation, const std::string& method, const std::string& target,
             const std::string& token, const std::string& body = {}, platform::Headers headers = {}) {
    auto started = Clock::now();
    auto response = client_.call(method, target, token, body, std::move(headers));
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    ++report.codes[response.status];
    report.latencies_ms.push_back(ms);
    report.by_operation_ms[operation].push_back(ms);
    ++requests_;
    if (response.status == 0 || response.status >= 500) ++errors_;
    return response;
  }

  // Every attempt counts as a request; a retry carries the first attempt's key.
  std::int64_t place(const std::string& operation = "place") {
    OrderAttempts order;
    Reply reply;
    do reply = call(operation, "POST", "/orders", tokens_.customer, order_body_, order.headers());
    while (order.again(reply.status));
    if (reply.status != 201) return 0;
    auto id = int_of(reply.json(), "orderId");
    if (!id) return 0;
    recent_.push_back(id);
    if (recent_.size() > 64) recent_.erase(recent_.begin());
    return id;
  }

  void status() {
    if (recent_.empty() && !place()) return;
    call("status", "GET", "/orderStatuses/" + std::to_string(recent_[random_() % recent_.size()]), tokens_.customer);
  }

  void cancel() {
    if (auto id = place("cancel")) call("cancel", "PUT", "/orders/" + std::to_string(id) + "/cancel", tokens_.customer);
  }

  // Polls until the target answers 200, as an app's screen would, for at most 10 s.
  bool await(const std::string& target, const std::string& token) {
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      if (call("journey", "GET", target, token).status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  bool step(const std::string& method, const std::string& target, const std::string& token) {
    return call("journey", method, target, token).status == 200;
  }

  void journey() {
    auto id = place("journey");
    if (!id) return;
    auto order = std::to_string(id);
    auto cooking = "/foodCookings/" + order;
    auto delivery = "/deliveries/" + order;
    bool done = await(cooking, tokens_.owner) && step("PUT", cooking + "/accept", tokens_.owner) &&
                step("PUT", cooking + "/start", tokens_.owner) && step("PUT", cooking + "/finish", tokens_.owner) &&
                await(delivery, tokens_.rider) && step("PUT", delivery + "/assign", tokens_.rider) &&
                step("PUT", delivery + "/pick", tokens_.rider);
    if (!done) return;
    // The order learns of the pick-up by event: confirm once it has.
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      auto reply = call("journey", "PUT", "/orders/" + order + "/deliveryconfirm", tokens_.customer);
      if (reply.status != 409) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  const Tokens& tokens_;
  std::atomic<std::int64_t>& requests_;
  std::atomic<std::int64_t>& errors_;
  Client client_;
  std::string order_body_;
  std::vector<std::int64_t> recent_;
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace

std::int64_t LoadReport::requests() const {
  std::int64_t total = 0;
  for (const auto& [code, count] : codes) total += count;
  return total;
}

double LoadReport::availability() const {
  auto total = requests();
  if (total == 0) return 0;
  std::int64_t ok = 0;
  for (const auto& [code, count] : codes)
    if (code != 0 && code < 500) ok += count;
  return 100.0 * static_cast<double>(ok) / static_cast<double>(total);
}

namespace {
double percentile_of(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size()))) ;
  return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}
}  // namespace

double LoadReport::percentile(double p) const { return percentile_of(latencies_ms, p); }

std::string LoadReport::summary() const {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "Transactions:   %lld requests in %lld operations\n",
                static_cast<long long>(requests()), static_cast<long long>(operations));
  out << line;
  std::snprintf(line, sizeof line, "Availability:   %.2f %%\n", availability());
  out << line;
  std::snprintf(line, sizeof line, "Elapsed time:   %.2f s\n", seconds);
  out << line;
  std::snprintf(line, sizeof line, "Throughput:     %.1f requests/s\n",
                seconds > 0 ? static_cast<double>(requests()) / seconds : 0.0);
  out << line;
  out << "Status codes:  ";
  for (const auto& [code, count] : codes) out << " " << (code == 0 ? std::string("no-answer") : std::to_string(code)) << "=" << count;
  out << "\n";
  std::snprintf(line, sizeof line, "Latency (ms):   p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", percentile(50),
                percentile(90), percentile(99), percentile(100));
  out << line;
  for (const auto& [operation, samples] : by_operation_ms) {
    std::snprintf(line, sizeof line, "  %-8s %7zu requests  p50 %.2f  p99 %.2f  max %.2f ms\n", operation.c_str(),
                  samples.size(), percentile_of(samples, 50), percentile_of(samples, 99), percentile_of(samples, 100));
    out << line;
  }
  return out.str();
}

LoadReport run_load(const LoadOptions& options, const std::function<void(const Progress&)>& progress) {
  Client client(options.gateway);
  Tokens tokens{login(client, "customer1"), login(client, "owner1"), login(client, "rider1")};
  if (options.mix.contains("journey")) {
    // The rider waits next to the customer, so every finished order is within reach.
    auto reply = client.call("PUT", "/riders/me/location", tokens.rider, R"({"lat":37.5006,"lon":127.0364})");
    if (reply.status != 200) throw std::runtime_error("cannot place rider1 near the customer: " + reply.body);
  }
  std::vector<std::string> wheel;
  for (const auto& [operation, weight] : options.mix)
    for (int i = 0; i < weight; ++i) wheel.push_back(operation);

  std::atomic<bool> running{true};
  std::atomic<std::int64_t> operations{0}, requests{0}, errors{0};
  std::mutex merge;
  LoadReport total;
  auto started = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < options.concurrency; ++w) {
    workers.emplace_back([&, w] {
      Worker worker(options, tokens, requests, errors);
      std::size_t turn = static_cast<std::size_t>(w);
      while (running) {
        auto n = ++operations;
        if (options.count > 0 && n > options.count) break;
        worker.run(wheel[turn++ % wheel.size()]);
      }
      std::lock_guard lock(merge);
      for (const auto& [code, count] : worker.report.codes) total.codes[code] += count;
      total.latencies_ms.insert(total.latencies_ms.end(), worker.report.latencies_ms.begin(),
                                worker.report.latencies_ms.end());
      for (const auto& [operation, samples] : worker.report.by_operation_ms) {
        auto& into = total.by_operation_ms[operation];
        into.insert(into.end(), samples.begin(), samples.end());
      }
    });
  }
  auto deadline = started + options.duration;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = Clock::now();
    bool counted_out = options.count > 0 && operations.load() >= options.count;
    bool timed_out = options.count == 0 && now >= deadline;
    if (progress) progress({std::chrono::duration<double>(now - started).count(), requests.load(), errors.load()});
    if (counted_out || timed_out) break;
  }
  running = false;
  for (auto& worker : workers) worker.join();
  total.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  total.operations = std::min<std::int64_t>(operations.load(), options.count > 0 ? options.count : operations.load());
  return total;
}

Command load_command(CLI::App& cli) {
  auto options = std::make_shared<LoadOptions>();
  auto* app = cli.add_subcommand("load", "put load on the platform through the gateway and report availability and latency");
  app->footer("Puts load on the platform through its gateway, as the seeds did with siege, and reports\n"
              "availability, status codes, throughput and latency.");
  add_gateway_option(*app, options->gateway);
  app->add_option("-c,--concurrency", options->concurrency, "concurrent users")
      ->type_name("N")
      ->check(at_least(1))
      ->capture_default_str();
  app->add_option_function<int>(
         "-d,--duration", [options](int seconds) { options->duration = std::chrono::seconds(seconds); },
         "run this long (default 10)")
      ->type_name("SECONDS")
      ->check(at_least(1));
  app->add_option("-n,--count", options->count, "run this many operations instead")->type_name("COUNT")->check(at_least(1));
  add_read_option(
      *app, "--mix",
      [options](const std::string& text) {
        options->mix = parse_weights(text, {"place", "status", "cancel", "journey"}, "operation");
      },
      "weighted operations, e.g. place:1,status:3 (default), of\n"
      "  place    POST /orders as customer1, with an Idempotency-Key; sent\n"
      "           again with it after no answer, 502, 503, 504 or 409\n"
      "  status   GET /orderStatuses/{a recent order}\n"
      "  cancel   place, then PUT /orders/{id}/cancel (the synchronous call\n"
      "           to payment behind the circuit breaker)\n"
      "  journey  the whole lifecycle: place, accept, cook, assign, pick, confirm")
      ->type_name("OPS");
  app->add_option("--store", options->store, "the store to order from")->type_name("ID")->check(at_least(1))->capture_default_str();
  app->add_option("--menu", options->menu, "the menu item to order")->type_name("ID")->check(at_least(1))->capture_default_str();
  return {app, [options] {
            bool terminal = isatty(STDERR_FILENO);
            double last = 0;
            try {
              auto report = run_load(*options, [&](const Progress& p) {
                if (p.seconds - last < 1.0) return;
                last = p.seconds;
                std::fprintf(stderr, "%s[%5.1fs] %lld requests, %.0f/s, %lld errors%s", terminal ? "\r" : "",
                             p.seconds, static_cast<long long>(p.requests), static_cast<double>(p.requests) / p.seconds,
                             static_cast<long long>(p.errors), terminal ? "   " : "\n");
              });
              if (terminal) std::fprintf(stderr, "\n");
              std::fputs(report.summary().c_str(), stdout);
              return 0;
            } catch (const std::exception& error) {
              std::fprintf(stderr, "fooddelivery load: %s\n", error.what());
              return 1;
            }
          }};
}

}  // namespace fd::cli
