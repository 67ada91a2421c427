// The one HTTP client against real sockets: a service's replicas as a list of origins.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"
#include "platform/http_server.hpp"
#include "platform/router.hpp"
#include "platform/trace.hpp"

namespace {

// A listening socket on a free loopback port.
struct Listener {
  int fd = -1;
  std::uint16_t port = 0;

  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// A replica that answers and counts what reached it.
struct Replica {
  platform::Router router;
  std::atomic<int> requests{0};
  std::unique_ptr<platform::HttpServer> server;
  std::thread thread;

  Replica() {
    router.add("POST", "/charges", [this](platform::Request&) {
      ++requests;
      platform::Response response;
      response.status = 201;
      return response;
    });
    server = std::make_unique<platform::HttpServer>(router, platform::ServerOptions{});
    thread = std::thread([this] { server->run(); });
  }
  ~Replica() {
    server->stop();
    thread.join();
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
};

TEST(HttpClientReplicas, AReplicaThatRefusesTheConnectionIsSkippedForTheNext) {
  Listener gone;  // a port where nobody listens any more: connecting is refused
  auto refused = "http://127.0.0.1:" + std::to_string(gone.port);
  gone.close();
  Replica replica;
  // Whichever origin a client starts at, every request arrives exactly once.
  for (int i = 0; i < 4; ++i) {
    auto client = platform::HttpClient::to(refused + "," + replica.origin());
    EXPECT_EQ(client.send("POST", "/charges", R"({"amount":1})").status, 201);
  }
  EXPECT_EQ(replica.requests.load(), 4);
}

TEST(HttpClientReplicas, ARequestThatMayHaveReachedAReplicaIsNotSentToAnother) {
  Listener swallower;  // accepts, reads the request, and closes without an answer
  std::thread swallow([&] {
    for (int i = 0; i < 4; ++i) {
      int connection = ::accept(swallower.fd, nullptr, nullptr);
      if (connection < 0) return;
      char buffer[4096];
      (void)::recv(connection, buffer, sizeof buffer, 0);
      ::close(connection);
    }
  });
  Replica replica;
  auto swallowing = "http://127.0.0.1:" + std::to_string(swallower.port);
  int failed = 0;
  for (int i = 0; i < 2; ++i) {
    // Two clients: one of them starts at the swallowing origin.
    auto client = platform::HttpClient::to(swallowing + "," + replica.origin(), std::chrono::milliseconds(2000));
    try {
      client.send("POST", "/charges", R"({"amount":1})");
    } catch (const std::runtime_error& error) {
      ++failed;
      EXPECT_NE(std::string(error.what()).find(std::to_string(swallower.port)), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(failed, 1) << "the request that reached the swallowing origin fails, the other succeeds";
  EXPECT_EQ(replica.requests.load(), 1) << "the swallowed request must not be sent again elsewhere";
  ::shutdown(swallower.fd, SHUT_RDWR);
  swallower.close();
  swallow.join();
}

TEST(HttpClientReplicas, OriginsAreReadFromACommaSeparatedList) {
  EXPECT_THROW(platform::HttpClient::to(""), std::invalid_argument);
  EXPECT_THROW(platform::HttpClient::to("http://127.0.0.1:1,http://127.0.0.1:x"), std::invalid_argument);
}

// A service that says what trace it was called in: the traceparent it received, and the
// trace its handler ran in.
struct TracedService {
  platform::Router router;
  std::mutex mutex;
  std::string received;
  std::string handled_in;
  std::unique_ptr<platform::HttpServer> server;
  std::thread thread;

  TracedService() {
    router.add("GET", "/trace", [this](platform::Request& request) {
      std::lock_guard lock(mutex);
      received = request.header("traceparent");
      const auto* current = platform::trace::current();
      handled_in = current ? std::string(current->trace()) : "";
      return platform::Response{};
    });
    server = std::make_unique<platform::HttpServer>(router, platform::ServerOptions{});
    thread = std::thread([this] { server->run(); });
  }
  ~TracedService() {
    server->stop();
    thread.join();
  }
  platform::HttpClient client() const {
    return platform::HttpClient::to("http://127.0.0.1:" + std::to_string(server->port()));
  }
};

TEST(HttpClientTrace, ACallCarriesTheCallersTraceUnderANewSpanAndTheServerHandlesItInThatTrace) {
  TracedService service;
  auto client = service.client();
  const auto caller = platform::trace::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").value();
  {
    platform::trace::Scope scope(caller);
    ASSERT_EQ(client.get("/trace").status, 200);
  }
  std::lock_guard lock(service.mutex);
  auto sent = platform::trace::parse(service.received);
  ASSERT_TRUE(sent) << service.received;
  EXPECT_EQ(sent->trace(), caller.trace());
  EXPECT_NE(sent->traceparent(), caller.traceparent());  // a span of its own
  EXPECT_EQ(service.handled_in, caller.trace());
}

TEST(HttpClientTrace, ARequestWithoutATraceOrWithAMalformedOneIsHandledInANewTrace) {
  TracedService service;
  auto client = service.client();
  ASSERT_EQ(client.get("/trace").status, 200);
  {
    std::lock_guard lock(service.mutex);
    EXPECT_EQ(service.received, "");  // outside any trace, the client sends none
    EXPECT_EQ(service.handled_in.size(), 32u);
  }
  const std::string malformed = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
  ASSERT_EQ(client.get("/trace", {{"traceparent", malformed}}).status, 200);
  std::lock_guard lock(service.mutex);
  EXPECT_EQ(service.received, malformed);
  EXPECT_EQ(service.handled_in.size(), 32u);
  EXPECT_NE(service.handled_in, "00000000000000000000000000000000");
}

}  // namespace
