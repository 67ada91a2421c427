// The order path through the gateway: how many orders per second are accepted, and how
// long from the POST until the order is visible in the store owner's list.
//
//   order_path_bench [--port 8088] [--concurrency 16] [--seconds 10] [--store 1 --menu 104 --owner owner1]
//   order_path_bench --get /stores/1 [--concurrency 1] [--seconds 5]
//
// Each worker logs in as customer1 and loops: POST /orders, then polls
// GET /foodCookings/{orderId} as the owner until it answers 200 (the saga has run:
// order committed, OrderPlaced → payment → PaymentApproved → store). With --no-follow the
// workers only POST, which measures the write path alone. With --get PATH each worker only
// GETs that path (no login), one request after the other on its one keep-alive connection:
// with one worker, the floor of a request that reads one row (bench/run's floor B).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::uint16_t port = 8088;
  int concurrency = 16;
  int seconds = 10;
  std::int64_t store = 1;
  std::int64_t menu = 104;
  std::string customer = "customer1";
  std::string owner = "owner1";
  bool follow = true;
  std::string get;  // --get PATH: only GET it
};

std::string login(std::uint16_t port, const std::string& user) {
  platform::HttpClient client("127.0.0.1", port);
  auto reply = client.send("POST", "/auth/login", R"({"username":")" + user + R"(","password":"demo1234"})");
  if (reply.status != 200) throw std::runtime_error("login as " + user + " failed: " + reply.body);
  return std::string(boost::json::parse(reply.body).at("accessToken").as_string());
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size() - 1));
  return samples[index];
}

// --get: every worker GETs the path on one connection until the time is up; prints the
// latency of the answers that were 200 (anything else counts as an error).
int measure_get(const Options& options) {
  std::atomic<bool> running{true};
  std::atomic<long> errors{0};
  std::mutex merge;
  std::vector<double> get_ms;
  std::vector<std::thread> workers;
  auto started = Clock::now();
  for (int w = 0; w < options.concurrency; ++w) {
    workers.emplace_back([&] {
      platform::HttpClient client("127.0.0.1", options.port);
      std::vector<double> samples;
      while (running) {
        try {
          auto t0 = Clock::now();
          auto reply = client.send("GET", options.get);
          auto t1 = Clock::now();
          if (reply.status != 200) {
            ++errors;
            continue;
          }
          samples.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        } catch (const std::exception&) {
          ++errors;
        }
      }
      std::lock_guard lock(merge);
      get_ms.insert(get_ms.end(), samples.begin(), samples.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(options.seconds));
  running = false;
  for (auto& worker : workers) worker.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("concurrency %d, %.1f s, GET %s\n", options.concurrency, elapsed, options.get.c_str());
  std::printf("requests answered 200: %zu (%.0f requests/s), errors: %ld\n", get_ms.size(),
              static_cast<double>(get_ms.size()) / elapsed, errors.load());
  std::printf("GET latency ms: p50 %.3f  p99 %.3f  max %.3f\n", percentile(get_ms, 50), percentile(get_ms, 99),
              percentile(get_ms, 100));
  return get_ms.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App cli("The order path through the gateway: orders per second, and the time until the owner sees one.",
               "order_path_bench");
  // Said in the option's help, not its type column.
  auto from = [](int least, int most) { return CLI::Range(least, most).description(""); };
  constexpr int kMost = std::numeric_limits<int>::max();
  cli.add_option("--port", options.port, "the gateway's port")->check(from(1, 65535))->capture_default_str();
  cli.add_option("--concurrency", options.concurrency, "workers (at least 1)")->check(from(1, kMost))->capture_default_str();
  cli.add_option("--seconds", options.seconds, "how long to run (at least 1)")->check(from(1, kMost))->capture_default_str();
  cli.add_option("--store", options.store, "the store to order from")->capture_default_str();
  cli.add_option("--menu", options.menu, "the menu item to order")->capture_default_str();
  cli.add_option("--customer", options.customer, "who orders")->capture_default_str();
  cli.add_option("--owner", options.owner, "the store's owner, who looks for the order")->capture_default_str();
  cli.add_flag_callback("--no-follow", [&options] { options.follow = false; }, "only POST: the write path alone");
  cli.add_option("--get", options.get,
                 "only GET this path (e.g. /stores/1), no login, each worker on one connection; no orders")
      ->check([](const std::string& path) { return path.starts_with('/') ? "" : "a path starting with /"; });
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return cli.exit(error) == 0 ? 0 : 2;
  }
  if (!options.get.empty()) {
    try {
      return measure_get(options);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "order_path_bench: %s\n", error.what());
      return 1;
    }
  }
  auto customer_token = login(options.port, options.customer);
  auto owner_token = login(options.port, options.owner);
  auto body = boost::json::serialize(boost::json::object{
      {"storeId", options.store},
      {"items", {{{"menuId", options.menu}, {"qty", 1}}}},
      {"address", "서울 강남구 테헤란로 152"},
      {"lat", 37.5006},
      {"lon", 127.0364}});

  std::atomic<bool> running{true};
  std::atomic<long> errors{0};
  std::atomic<long> polls{0};
  std::mutex merge;
  std::vector<double> post_ms, visible_ms;
  std::vector<std::thread> workers;
  auto started = Clock::now();
  for (int w = 0; w < options.concurrency; ++w) {
    workers.emplace_back([&] {
      platform::HttpClient poster("127.0.0.1", options.port);
      platform::HttpClient poller("127.0.0.1", options.port);
      platform::Headers as_customer{{"Authorization", "Bearer " + customer_token}};
      platform::Headers as_owner{{"Authorization", "Bearer " + owner_token}};
      std::vector<double> posts, visibles;
      while (running) {
        try {
          auto t0 = Clock::now();
          auto reply = poster.send("POST", "/orders", body, as_customer);
          auto t1 = Clock::now();
          if (reply.status != 201) {
            ++errors;
            continue;
          }
          posts.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
          if (!options.follow) continue;
          auto target = "/foodCookings/" + reply.header("Location").substr(std::strlen("/orders/"));
          while (running) {
            ++polls;
            if (poller.send("GET", target, {}, as_owner).status == 200) break;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
          visibles.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        } catch (const std::exception&) {
          ++errors;
        }
      }
      std::lock_guard lock(merge);
      post_ms.insert(post_ms.end(), posts.begin(), posts.end());
      visible_ms.insert(visible_ms.end(), visibles.begin(), visibles.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(options.seconds));
  running = false;
  for (auto& worker : workers) worker.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  std::printf("concurrency %d, %.1f s, follow %s\n", options.concurrency, elapsed, options.follow ? "yes" : "no");
  std::printf("orders accepted: %zu (%.0f orders/s), errors: %ld\n", post_ms.size(),
              static_cast<double>(post_ms.size()) / elapsed, errors.load());
  std::printf("POST /orders latency ms: p50 %.3f  p99 %.3f  max %.3f\n", percentile(post_ms, 50),
              percentile(post_ms, 99), percentile(post_ms, 100));
  if (options.follow)
    std::printf("POST → visible in the store's list ms: p50 %.3f  p99 %.3f  max %.3f\n", percentile(visible_ms, 50),
                percentile(visible_ms, 99), percentile(visible_ms, 100));
  if (options.follow)
    std::printf("GET polls per order followed: %.1f\n",
                visible_ms.empty() ? 0.0 : static_cast<double>(polls.load()) / static_cast<double>(visible_ms.size()));
  return 0;
}
