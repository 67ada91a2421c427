// fooddelivery load: siege for this platform. Concurrency, a duration or a count, a request
// mix, a live progress line, and at the end availability, codes, throughput and latency.
#include "load.hpp"

#include "arguments.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "platform/http_client.hpp"

namespace fd::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct Tokens {
  std::string customer, owner, rider;
};

std::string login(const LoadOptions& options, const std::string& user) {
  platform::HttpClient client(options.host, options.port);
  auto reply = client.send("POST", "/auth/login", R"({"username":")" + user + R"(","password":"demo1234"})");
  if (reply.status != 200)
    throw std::runtime_error("cannot log in as " + user + " (HTTP " + std::to_string(reply.status) + "): " + reply.body);
  return std::string(boost::json::parse(reply.body).at("accessToken").as_string());
}

// One worker's view: its own connections, its own samples, merged at the end.
class Worker {
 public:
  Worker(const LoadOptions& options, const Tokens& tokens, std::atomic<std::int64_t>& requests,
         std::atomic<std::int64_t>& errors)
      : options_(options), tokens_(tokens), requests_(requests), errors_(errors), client_(options.host, options.port,
                                                                                           std::chrono::seconds(10)) {
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
  platform::Response call(const std::string& operation, const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body = {}) {
    auto started = Clock::now();
    platform::Response response;
    try {
      response = client_.send(method, target, body, {{"Authorization", "Bearer " + token}});
    } catch (const std::exception&) {
      response.status = 0;  // refused or timed out: counted, never thrown out of the run
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    ++report.codes[response.status];
    report.latencies_ms.push_back(ms);
    report.by_operation_ms[operation].push_back(ms);
    ++requests_;
    if (response.status == 0 || response.status >= 500) ++errors_;
    return response;
  }

  std::int64_t place(const std::string& operation = "place") {
    auto reply = call(operation, "POST", "/orders", tokens_.customer, order_body_);
    if (reply.status != 201) return 0;
    auto id = boost::json::parse(reply.body).at("orderId").as_int64();
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

  const LoadOptions& options_;
  const Tokens& tokens_;
  std::atomic<std::int64_t>& requests_;
  std::atomic<std::int64_t>& errors_;
  platform::HttpClient client_;
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

std::map<std::string, int> parse_mix(const std::string& text) {
  static const std::vector<std::string> known{"place", "status", "cancel", "journey"};
  std::map<std::string, int> mix;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    auto colon = part.find(':');
    auto name = part.substr(0, colon);
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw std::invalid_argument("unknown operation '" + name + "' in --mix (known: place, status, cancel, journey)");
    int weight = 1;
    if (colon != std::string::npos) {
      try {
        weight = std::stoi(part.substr(colon + 1));
      } catch (const std::exception&) {
        throw std::invalid_argument("weight of '" + name + "' in --mix is not a number");
      }
    }
    if (weight < 0) throw std::invalid_argument("weight of '" + name + "' in --mix is negative");
    if (weight > 0) mix[name] = weight;
  }
  if (mix.empty()) throw std::invalid_argument("--mix names no operation");
  return mix;
}

std::pair<std::string, std::uint16_t> parse_origin(const std::string& url) {
  std::string rest = url.rfind("http://", 0) == 0 ? url.substr(7) : url;
  if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, 80};
  int port = 0;
  try {
    port = std::stoi(rest.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port <= 0 || port > 65535) throw std::invalid_argument("bad port in '" + url + "'");
  return {rest.substr(0, colon), static_cast<std::uint16_t>(port)};
}

LoadReport run_load(const LoadOptions& options, const std::function<void(const Progress&)>& progress) {
  Tokens tokens{login(options, "customer1"), login(options, "owner1"), login(options, "rider1")};
  if (options.mix.contains("journey")) {
    // The rider waits next to the customer, so every finished order is within reach.
    platform::HttpClient client(options.host, options.port);
    auto reply = client.send("PUT", "/riders/me/location", R"({"lat":37.5006,"lon":127.0364})",
                             {{"Authorization", "Bearer " + tokens.rider}});
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

namespace {

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: fooddelivery load [--gateway URL] [-c N] [-d SECONDS | -n COUNT] [--mix OPS]\n"
               "                         [--store ID --menu ID]\n"
               "\n"
               "Puts load on the platform through its gateway, as the seeds did with siege, and reports\n"
               "availability, status codes, throughput and latency.\n"
               "\n"
               "  --gateway URL   the gateway (default http://127.0.0.1:$FD_GATEWAY_PORT or :8088)\n"
               "  -c N            concurrent users (default 8)\n"
               "  -d SECONDS      run this long (default 10)\n"
               "  -n COUNT        run this many operations instead\n"
               "  --mix OPS       weighted operations, e.g. place:1,status:3 (default), of\n"
               "                    place    POST /orders as customer1\n"
               "                    status   GET /orderStatuses/{a recent order}\n"
               "                    cancel   place, then PUT /orders/{id}/cancel (the synchronous call\n"
               "                             to payment behind the circuit breaker)\n"
               "                    journey  the whole lifecycle: place, accept, cook, assign, pick, confirm\n"
               "  --store ID --menu ID   what to order (default store 1, menu 104)\n");
}

}  // namespace

int load(int argc, char** argv) {
  LoadOptions options;
  if (const char* port = std::getenv("FD_GATEWAY_PORT")) options.port = static_cast<std::uint16_t>(std::atoi(port));
  try {
    Arguments args(argc, argv, 1);
    while (args.next()) {
      auto& arg = args.flag();
      auto value = [&] { return args.value(); };
      auto number = [&] { return args.number(); };
      if (arg == "--help" || arg == "-h") {
        usage(stdout);
        return 0;
      } else if (arg == "--gateway") {
        std::tie(options.host, options.port) = parse_origin(value());
      } else if (arg == "-c" || arg == "--concurrency") {
        options.concurrency = static_cast<int>(number());
      } else if (arg == "-d" || arg == "--duration") {
        options.duration = std::chrono::seconds(number());
      } else if (arg == "-n" || arg == "--count") {
        options.count = number();
      } else if (arg == "--mix") {
        options.mix = parse_mix(value());
      } else if (arg == "--store") {
        options.store = number();
      } else if (arg == "--menu") {
        options.menu = number();
      } else {
        throw std::invalid_argument("unknown option " + arg);
      }
    }
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "fooddelivery load: %s\n\n", error.what());
    usage(stderr);
    return 2;
  }
  bool terminal = isatty(STDERR_FILENO);
  double last = 0;
  try {
    auto report = run_load(options, [&](const Progress& p) {
      if (p.seconds - last < 1.0) return;
      last = p.seconds;
      std::fprintf(stderr, "%s[%5.1fs] %lld requests, %.0f/s, %lld errors%s", terminal ? "\r" : "", p.seconds,
                   static_cast<long long>(p.requests), static_cast<double>(p.requests) / p.seconds,
                   static_cast<long long>(p.errors), terminal ? "   " : "\n");
    });
    if (terminal) std::fprintf(stderr, "\n");
    std::fputs(report.summary().c_str(), stdout);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fooddelivery load: %s\n", error.what());
    return 1;
  }
}

}  // namespace fd::cli
