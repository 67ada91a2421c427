// The HTTP server's event streams alone (platform/event_stream.hpp), in this process: many
// streams held open by one I/O thread while it still answers other requests, an event sent
// the moment its source wakes the server, and a stream's source let go as soon as its client
// goes, heartbeat or not.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/event_stream.hpp"
#include "platform/http_client.hpp"
#include "platform/http_server.hpp"
#include "platform/router.hpp"
#include "support/api.hpp"
#include "support/event_stream.hpp"

namespace {

using namespace std::chrono_literals;

// A source that sends "hello" at once, then whatever the test queues, when woken.
struct Ticks {
  std::mutex mutex;
  std::vector<std::function<void()>> wakes;
  std::vector<std::string> queued;
  std::atomic<int> open{0};
  std::atomic<int> ended{0};
  std::atomic<int> pulls{0};
};

class TickSource final : public platform::EventSource {
 public:
  explicit TickSource(Ticks& ticks) : ticks_(ticks) { ++ticks_.open; }
  ~TickSource() override { ++ticks_.ended; }
  void wake_with(std::function<void()> wake) override {
    std::lock_guard lock(ticks_.mutex);
    ticks_.wakes.push_back(std::move(wake));
  }
  std::vector<platform::ServerSentEvent> pull() override {
    ++ticks_.pulls;
    std::vector<platform::ServerSentEvent> out;
    if (!greeted_) out.push_back({"0", "tick", "hello"});
    greeted_ = true;
    std::lock_guard lock(ticks_.mutex);
    for (; seen_ < ticks_.queued.size(); ++seen_) out.push_back({std::to_string(seen_ + 1), "tick", ticks_.queued[seen_]});
    return out;
  }
  // Only a wake-up can bring an event in time: the period and the heartbeat are an hour.
  std::chrono::milliseconds every() const override { return 1h; }

 private:
  Ticks& ticks_;
  bool greeted_ = false;
  std::size_t seen_ = 0;
};

struct TickServer {
  Ticks ticks;
  platform::Router router;
  std::unique_ptr<platform::HttpServer> server;
  std::thread thread;

  TickServer() {
    router.add("GET", "/health", [](platform::Request&) { return platform::json_response(200, {{"status", "UP"}}); });
    router.add("GET", "/ticks/stream", [this](platform::Request&) {
      return platform::event_stream_response(std::make_shared<TickSource>(ticks));
    });
    platform::ServerOptions options;
    options.threads = 1;
    options.stream_heartbeat = 1h;
    server = std::make_unique<platform::HttpServer>(router, options);
    thread = std::thread([this] { server->run(); });
  }
  ~TickServer() {
    server->stop();
    thread.join();
  }
  void tick(const std::string& text) {
    std::vector<std::function<void()>> wakes;
    {
      std::lock_guard lock(ticks.mutex);
      ticks.queued.push_back(text);
      wakes = ticks.wakes;
    }
    for (const auto& wake : wakes) wake();  // from this thread, as the bus's tail does from its own
  }
};

TEST(EventStreamServer, OneIoThreadHoldsManyStreamsAnswersOtherRequestsAndSendsAnEventWhenWoken) {
  TickServer server;
  const int port = server.server->port();
  std::vector<std::unique_ptr<fd::test::EventStreamClient>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<fd::test::EventStreamClient>(port, "/ticks/stream", ""));
    ASSERT_EQ(clients.back()->status(), 200) << clients.back()->head();
    auto hello = clients.back()->next(10s);
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->data, "hello");
  }
  platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(port), 5s);
  EXPECT_EQ(client.get("/health").status, 200);

  server.tick("one");
  for (auto& stream : clients) {
    auto event = stream->next(10s);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->id, "1");
    EXPECT_EQ(event->event, "tick");
    EXPECT_EQ(event->data, "one");
  }
  EXPECT_EQ(server.ticks.ended.load(), 0);
}

// A busy service's commits wake its watches back to back: a stream's source is read at most
// once per stream_least_interval (50 ms) however often it is woken, and what the last wake-up
// brought still goes out.
TEST(EventStreamServer, ABurstOfWakeUpsMakesOnePullPerIntervalAndTheLastEventStillGoesOut) {
  TickServer server;
  fd::test::EventStreamClient stream(server.server->port(), "/ticks/stream", "");
  ASSERT_TRUE(stream.next(10s));  // hello: the first pull
  const int before = server.ticks.pulls.load();
  const auto start = std::chrono::steady_clock::now();
  constexpr int kTicks = 300;
  for (int i = 1; i <= kTicks; ++i) {
    server.tick(std::to_string(i));
    std::this_thread::sleep_for(1ms);
  }
  std::optional<fd::test::StreamedEvent> last;
  while (auto event = stream.next(10s)) {
    last = event;
    if (event->data == std::to_string(kTicks)) break;
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->data, std::to_string(kTicks));
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const int pulls = server.ticks.pulls.load() - before;
  EXPECT_LE(pulls, elapsed / 50ms + 2) << pulls << " pulls in " << elapsed.count() << " ms for " << kTicks << " wake-ups";
  EXPECT_GE(pulls, 1);
}

TEST(EventStreamServer, AStreamEndsWhenItsClientGoes) {
  TickServer server;
  {
    fd::test::EventStreamClient stream(server.server->port(), "/ticks/stream", "");
    ASSERT_TRUE(stream.next(10s));
    EXPECT_EQ(server.ticks.ended.load(), 0);
  }
  EXPECT_TRUE(fd::test::eventually([&] { return server.ticks.ended.load() == 1; }, 10s));
}

}  // namespace
