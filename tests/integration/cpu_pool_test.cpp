// The server's pool for CPU-heavy routes, with handlers that block until the test lets them
// go: what it proves is counted, not timed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"
#include "platform/http_server.hpp"
#include "platform/router.hpp"
#include "support/api.hpp"

namespace {

struct BlockingServer {
  platform::Router router;
  std::atomic<int> started{0};
  std::mutex mutex;
  std::condition_variable released_signal;
  bool released = false;
  std::unique_ptr<platform::HttpServer> server;
  std::thread thread;

  explicit BlockingServer(platform::ServerOptions options) {
    router.add("GET", "/health", [](platform::Request&) { return platform::json_response(200, {{"status", "UP"}}); });
    router.add(
        "POST", "/hash",
        [this](platform::Request&) {
          ++started;
          std::unique_lock lock(mutex);
          released_signal.wait(lock, [&] { return released; });
          return platform::json_response(200, {{"hashed", true}});
        },
        platform::Work::Cpu);
    server = std::make_unique<platform::HttpServer>(router, options);
    thread = std::thread([this] { server->run(); });
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    released_signal.notify_all();
  }
  ~BlockingServer() {
    release();
    server->stop();
    thread.join();
  }
};

TEST(HttpServerCpuPool, HealthIsAnsweredWhileEveryWorkerIsBusyAndAFullPoolRefusesAtOnce) {
  platform::ServerOptions options;
  options.threads = 1;
  options.cpu_threads = 2;
  options.cpu_queue = 1;
  BlockingServer server(options);
  auto port = server.server->port();

  // Two running, one waiting, one over: each on its own connection.
  std::vector<std::future<platform::Response>> heavy;
  for (int i = 0; i < 4; ++i)
    heavy.push_back(std::async(std::launch::async, [port] {
      platform::HttpClient client("127.0.0.1", port, std::chrono::seconds(20));
      return client.send("POST", "/hash", "{}");
    }));
  ASSERT_TRUE(fd::test::eventually([&] { return server.started.load() == 2; }));
  auto answered = [&] {
    int count = 0;
    for (auto& f : heavy) count += f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    return count;
  };
  ASSERT_TRUE(fd::test::eventually([&] { return answered() == 1; }, std::chrono::seconds(10)));

  platform::HttpClient client("127.0.0.1", port, std::chrono::seconds(5));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client.get("/health").status, 200);
  EXPECT_EQ(server.started.load(), 2) << "the workers are still busy";
  EXPECT_EQ(answered(), 1) << "the admitted heavy requests are still waiting";

  server.release();
  std::vector<int> statuses;
  for (auto& f : heavy) {
    auto response = f.get();
    statuses.push_back(response.status);
    if (response.status == 503) {
      EXPECT_EQ(response.header("Retry-After"), "1");
      EXPECT_EQ(response.content_type, "application/problem+json");
    }
  }
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 503}));
  EXPECT_EQ(server.started.load(), 3);
}

}  // namespace
