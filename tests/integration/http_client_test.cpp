// The one HTTP client against real sockets: a service's replicas as a list of origins.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"
#include "platform/http_server.hpp"
#include "platform/router.hpp"

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

}  // namespace
