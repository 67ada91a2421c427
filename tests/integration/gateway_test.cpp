// The nginx gateway (gateway/routes.tsv → gateway/render → nginx.conf) in front of the real
// services: CORS, the per-client rate limit, the body limit, unknown and internal paths,
// the request id, streams (server-sent events) passed through without buffering, and the
// security headers of the web app and of the API's answers.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "platform/http_client.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::eventually;
using fd::test::TestPlatform;
using platform::Headers;
using platform::HttpClient;
using platform::Response;

constexpr const char* kAllowedOrigin = "http://localhost:5173";  // in the default FD_CORS_ORIGINS
constexpr const char* kForeignOrigin = "http://evil.example";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

HttpClient client_of(const TestPlatform& platform) {
  return HttpClient("127.0.0.1", static_cast<std::uint16_t>(platform.gateway_port()), std::chrono::seconds(10));
}

// An answer of the gateway itself in problem+json: the status and the title it must carry.
void expect_problem(const Response& response, int status, const std::string& title) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.content_type, "application/problem+json") << response.body;
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  ASSERT_FALSE(ec) << "not JSON: " << response.body;
  EXPECT_EQ(body.at("status").as_int64(), status);
  EXPECT_EQ(body.at("title").as_string(), title);
  EXPECT_EQ(body.at("type").as_string(), "about:blank");
  EXPECT_FALSE(body.at("detail").as_string().empty());
}

std::string unique_request_id() {
  std::random_device device;
  return "gw-test-" + std::to_string(device()) + "-" + std::to_string(device());
}

// --------------------------------------------- the platform with its defaults ----

class Gateway : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { platform_ = std::make_unique<TestPlatform>(); }
  static void TearDownTestSuite() { platform_.reset(); }
  static TestPlatform& platform() { return *platform_; }

 private:
  static inline std::unique_ptr<TestPlatform> platform_;
};

TEST_F(Gateway, APreflightFromAnAllowedOriginIsAnsweredByTheGateway) {
  auto client = client_of(platform());
  auto response = client.send("OPTIONS", "/orders", {},
                              {{"Origin", kAllowedOrigin},
                               {"Access-Control-Request-Method", "POST"},
                               {"Access-Control-Request-Headers",
                                "authorization,content-type,x-request-id,idempotency-key"}});
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.header("Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_EQ(response.header("Access-Control-Allow-Credentials"), "true");
  EXPECT_TRUE(contains(response.header("Vary"), "Origin"));
  auto methods = response.header("Access-Control-Allow-Methods");
  for (const auto* method : {"GET", "POST", "PUT", "DELETE", "OPTIONS"})
    EXPECT_TRUE(contains(methods, method)) << method << " not in '" << methods << "'";
  auto headers = response.header("Access-Control-Allow-Headers");
  for (const auto* header : {"Authorization", "Content-Type", "X-Request-Id", "Idempotency-Key"})
    EXPECT_TRUE(contains(headers, header)) << header << " not in '" << headers << "'";
  EXPECT_GT(std::atoi(response.header("Access-Control-Max-Age").c_str()), 0);

  // The other default origin (the gateway's own address, where the web app is served).
  auto other = client.send("OPTIONS", "/stores/1", {},
                           {{"Origin", "http://127.0.0.1:8088"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(other.status, 204);
  EXPECT_EQ(other.header("Access-Control-Allow-Origin"), "http://127.0.0.1:8088");
}

TEST_F(Gateway, AForeignOriginGetsNoCorsHeaders) {
  auto client = client_of(platform());
  auto preflight =
      client.send("OPTIONS", "/orders", {}, {{"Origin", kForeignOrigin}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(preflight.header("Access-Control-Allow-Credentials"), "");
  EXPECT_EQ(preflight.header("Access-Control-Allow-Methods"), "");
  EXPECT_EQ(preflight.header("Access-Control-Allow-Headers"), "");

  auto get = client.get("/stores/1", {{"Origin", kForeignOrigin}});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(get.header("Access-Control-Expose-Headers"), "");
  // A near miss is foreign too: origins match exactly.
  auto near = client.get("/stores/1", {{"Origin", "http://localhost:5174"}});
  EXPECT_EQ(near.header("Access-Control-Allow-Origin"), "");
}

TEST_F(Gateway, AnAllowedOriginGetsCorsHeadersOnAnswersAndErrors) {
  auto client = client_of(platform());
  auto get = client.get("/stores/1", {{"Origin", kAllowedOrigin}});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.header("Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_EQ(get.header("Access-Control-Allow-Credentials"), "true");
  // The service (Vary: Accept) and nginx's gzip may send a Vary of their own too.
  std::string vary;
  for (const auto& [name, value] : get.headers)
    if (boost::algorithm::iequals(name, "Vary")) vary += value + ", ";
  EXPECT_TRUE(contains(vary, "Origin")) << vary;
  auto exposed = get.header("Access-Control-Expose-Headers");
  EXPECT_TRUE(contains(exposed, "Location")) << exposed;
  EXPECT_TRUE(contains(exposed, "X-Request-Id")) << exposed;
  EXPECT_TRUE(contains(exposed, "Idempotent-Replayed")) << exposed;
  // Not a preflight: no preflight headers.
  EXPECT_EQ(get.header("Access-Control-Allow-Methods"), "");

  // A browser app can read the gateway's own problems too, and a service's.
  auto unknown = client.get("/no/such/path", {{"Origin", kAllowedOrigin}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.header("Access-Control-Allow-Origin"), kAllowedOrigin);
  auto unauthorized = client.get("/orders/1", {{"Origin", kAllowedOrigin}});
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(unauthorized.header("Access-Control-Allow-Origin"), kAllowedOrigin);
  // Exactly one Access-Control-Allow-Origin, whatever the service sends.
  int count = 0;
  for (const auto& [name, value] : unauthorized.headers)
    if (name == "Access-Control-Allow-Origin" || name == "access-control-allow-origin") ++count;
  EXPECT_EQ(count, 1);
}

TEST_F(Gateway, LoopbackClientsAreNotThrottledByDefault) {
  // The benchmarks and load tests run from 127.0.0.1: FD_RATE_LIMIT_EXEMPT keeps them whole.
  auto client = client_of(platform());
  int throttled = 0;
  for (int i = 0; i < 1000; ++i)
    if (client.get("/stores/1").status == 429) ++throttled;
  EXPECT_EQ(throttled, 0);
}

TEST_F(Gateway, AnOversizedBodyIs413ProblemJson) {
  auto client = client_of(platform());
  std::string body = R"({"storeId":1,"address":")" + std::string(70 * 1024, 'x') + R"("})";
  auto response = client.send("POST", "/orders", body);
  expect_problem(response, 413, "Content Too Large");
  EXPECT_TRUE(contains(response.body, "64 KiB")) << response.body;
  // A small body reaches the service (which then wants a token).
  auto small = client_of(platform()).send("POST", "/orders", R"({"storeId":1})");
  EXPECT_TRUE(small.status == 401 || small.status == 400) << small.status << " " << small.body;
}

TEST_F(Gateway, AnUnknownPathIs404ProblemJson) {
  auto client = client_of(platform());
  // "/" is the web app's page; every other unknown path is the gateway's 404.
  for (const auto* path : {"/nope", "/ordersX", "/api/orders", "/index.html"}) {
    auto response = client.get(path);
    SCOPED_TRACE(path);
    expect_problem(response, 404, "Not Found");
    EXPECT_TRUE(contains(response.body, "no route")) << response.body;
  }
}

TEST_F(Gateway, InternalPathsAreNeverRouted) {
  auto client = client_of(platform());
  for (const auto* path : {"/internal/faults", "/internal/", "/internal", "//internal/faults",
                           "/orders/../internal/faults", "/orders/%2e%2e/internal/faults",
                           "/stores/1/../../internal/faults"}) {
    SCOPED_TRACE(path);
    auto get = client.get(path);
    expect_problem(get, 404, "Not Found");
    EXPECT_TRUE(contains(get.body, "no route")) << get.body;  // the gateway's 404, not a service's
    auto put = client.send("PUT", path, R"({"failPercent":100})");
    EXPECT_EQ(put.status, 404) << put.body;
  }
}

TEST_F(Gateway, TheRequestIdIsEchoedAndLogged) {
  auto client = client_of(platform());
  auto id = unique_request_id();
  auto response = client.get("/stores/1", {{"X-Request-Id", id}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("X-Request-Id"), id);
  EXPECT_TRUE(eventually([&] { return contains(platform().log("gateway.access"), "rid=" + id); }))
      << platform().log("gateway.access");

  // On the gateway's own answers too.
  auto missing = client.get("/nope", {{"X-Request-Id", id + "-2"}});
  EXPECT_EQ(missing.header("X-Request-Id"), id + "-2");

  // Without one, or with one that is not sane, the gateway makes one.
  auto made = client.get("/stores/1").header("X-Request-Id");
  EXPECT_EQ(made.size(), 32u) << made;
  auto replaced = client.get("/stores/1", {{"X-Request-Id", "bad id <script>"}}).header("X-Request-Id");
  EXPECT_EQ(replaced.size(), 32u) << replaced;
  EXPECT_FALSE(contains(platform().log("gateway.access"), "<script>"));
}

// ------------------------------------------- a tiny rate limit, custom origins ----

class GatewayConfigured : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    platform_ = std::make_unique<TestPlatform>(TestPlatform::Env{{"FD_RATE_LIMIT", "5"},
                                                                 {"FD_RATE_BURST", "5"},
                                                                 {"FD_RATE_LIMIT_EXEMPT", ""},
                                                                 {"FD_CORS_ORIGINS", "https://app.example.com, http://localhost:3000"}});
  }
  static void TearDownTestSuite() { platform_.reset(); }
  static TestPlatform& platform() { return *platform_; }

 private:
  static inline std::unique_ptr<TestPlatform> platform_;
};

TEST_F(GatewayConfigured, ABurstOverTheRateLimitGets429ProblemJsonWithRetryAfter) {
  // Let the bucket drain whatever the other tests of this suite used.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto client = client_of(platform());
  int ok = 0;
  std::vector<Response> throttled;
  for (int i = 0; i < 30; ++i) {
    auto response = client.get("/stores/1");
    if (response.status == 200) ++ok;
    else if (response.status == 429) throttled.push_back(std::move(response));
    else ADD_FAILURE() << "unexpected " << response.status << ": " << response.body;
  }
  EXPECT_GE(ok, 5);  // the burst passes at once (nodelay)
  ASSERT_FALSE(throttled.empty());
  const auto& first = throttled.front();
  expect_problem(first, 429, "Too Many Requests");
  EXPECT_EQ(first.header("Retry-After"), "1");
  EXPECT_TRUE(contains(first.body, "rate limit of 5 requests per second exceeded")) << first.body;
  EXPECT_EQ(first.header("X-Request-Id").size(), 32u);

  // Retry-After is honest: a second later the client is served again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(client.get("/stores/1").status, 200);
  // The gateway's own health check is not limited.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client.get("/health").status, 200);
}

TEST_F(GatewayConfigured, OnlyTheConfiguredOriginsGetCorsHeaders) {
  auto client = client_of(platform());
  Headers preflight_of_app{{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "PUT"}};
  auto app = client.send("OPTIONS", "/orders/1/cancel", {}, preflight_of_app);
  EXPECT_EQ(app.status, 204);
  EXPECT_EQ(app.header("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_TRUE(contains(app.header("Access-Control-Allow-Methods"), "PUT"));
  auto other = client.send("OPTIONS", "/orders", {},
                           {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(other.header("Access-Control-Allow-Origin"), "http://localhost:3000");
  // The defaults are replaced, not added to.
  auto dev = client.send("OPTIONS", "/orders", {},
                         {{"Origin", kAllowedOrigin}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(dev.status, 204);
  EXPECT_EQ(dev.header("Access-Control-Allow-Origin"), "");
}

// ------------------------------------------------------------------ streams ----

// A stand-in service on its own port answering every request with an event stream: the
// first event at once, the second only when released, then the end of the stream. Paths
// containing "sse" also carry "X-Accel-Buffering: no", as the platform's services send it.
class FakeStreamService {
 public:
  FakeStreamService() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("fake stream service: cannot listen");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FakeStreamService() {
    stopping_ = true;
    release();
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : handlers_) t.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  void release() { released_ = true; }
  void rearm() { released_ = false; }

 private:
  void accept_loop() {
    while (!stopping_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      handlers_.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    std::string request;
    char buf[4096];
    while (!contains(request, "\r\n\r\n")) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    auto path = request.substr(0, request.find("\r\n"));
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
    if (contains(path, "sse")) head += "X-Accel-Buffering: no\r\n";
    head += "Connection: close\r\n\r\ndata: first\n\n";
    send_all(fd, head);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!released_ && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    send_all(fd, "data: second\n\n");
    ::close(fd);
  }
  static void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> released_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> handlers_;
};

// A raw HTTP/1.1 client connection: sends a GET and reads what arrives, as a browser's
// EventSource would, without waiting for the end of the answer.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot connect to the gateway");
  }
  ~RawConnection() { ::close(fd_); }
  void get(const std::string& target) {
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    ASSERT_EQ(::send(fd_, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  }
  // Reads until `needle` has arrived or the time is up; returns whether it arrived.
  bool read_until(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!contains(received_, needle)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return contains(received_, needle);
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

class GatewayStreams : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char folder[] = "/tmp/fd-gateway-routes-XXXXXX";
    if (::mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp failed");
    routes_dir_ = folder;
    fake_ = std::make_unique<FakeStreamService>();
    // A route table of its own: the customer's streams, and a path that is not a /stream.
    std::ofstream(routes_dir_ + "/routes.tsv") << "/orderStatuses\tfake\n/live\tfake\n/auth\tauth\n";
    platform_ = std::make_unique<TestPlatform>(TestPlatform::Env{
        {"FD_GATEWAY_ROUTES", routes_dir_ + "/routes.tsv"}, {"FD_FAKE_PORT", std::to_string(fake_->port())}});
  }
  static void TearDownTestSuite() {
    platform_.reset();
    fake_.reset();
    std::error_code ec;
    std::filesystem::remove_all(routes_dir_, ec);
  }
  void TearDown() override { fake_->release(); }

  // The first event must reach the client while the service still holds the stream open.
  static void expect_streamed(const std::string& target) {
    SCOPED_TRACE(target);
    fake_->rearm();
    RawConnection connection(platform_->gateway_port());
    connection.get(target);
    EXPECT_TRUE(connection.read_until("data: first", std::chrono::seconds(3))) << connection.received();
    EXPECT_TRUE(contains(connection.received(), "HTTP/1.1 200")) << connection.received();
    EXPECT_TRUE(contains(connection.received(), "text/event-stream")) << connection.received();
    EXPECT_FALSE(contains(connection.received(), "data: second"));
    fake_->release();
    EXPECT_TRUE(connection.read_until("data: second", std::chrono::seconds(3))) << connection.received();
  }

  static inline std::string routes_dir_;
  static inline std::unique_ptr<FakeStreamService> fake_;
  static inline std::unique_ptr<TestPlatform> platform_;
};

TEST_F(GatewayStreams, APathEndingInStreamIsNeverBuffered) {
  // No X-Accel-Buffering from this service: the /stream location alone must not buffer.
  expect_streamed("/orderStatuses/7/stream");
}

TEST_F(GatewayStreams, XAccelBufferingNoFromTheServiceIsObeyedOnAnyPath) {
  expect_streamed("/live/sse");
  expect_streamed("/orderStatuses/sse-feed");
}

TEST_F(GatewayStreams, TheRouteTableStaysTheOnlySource) {
  // Paths of the default table that this table does not name are unknown here.
  auto client = client_of(*platform_);
  expect_problem(client.get("/orders/1"), 404, "Not Found");
  expect_problem(client.get("/orders/1/stream"), 404, "Not Found");
  EXPECT_EQ(client.send("POST", "/auth/login", R"({"username":"customer1","password":"demo1234"})").status, 200);
}

// ------------------------------------------------------ security headers ----

// The web app's page must not run anything but its own files: no inline script, no other
// origin, no plugins, no framing. The gateway serves a stand-in dist/ of its own here
// (FD_WEB_DIR), so the test does not need the app built.
class GatewayWebApp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    web_dir_ = fd::test::make_stand_in_web_app("fd-gateway-web-", "document.title = 'app'\n");
    std::ofstream(web_dir_ + "/assets/icon-abc.svg") << R"(<svg xmlns="http://www.w3.org/2000/svg"/>)";
    platform_ = std::make_unique<TestPlatform>(TestPlatform::Env{{"FD_WEB_DIR", web_dir_}});
  }
  static void TearDownTestSuite() {
    platform_.reset();
    std::error_code ec;
    std::filesystem::remove_all(web_dir_, ec);
  }
  static TestPlatform& platform() { return *platform_; }

  // Each "name value..." directive of a Content-Security-Policy, by name.
  static std::map<std::string, std::string> directives_of(const std::string& policy) {
    std::map<std::string, std::string> directives;
    std::size_t start = 0;
    while (start < policy.size()) {
      auto end = policy.find(';', start);
      if (end == std::string::npos) end = policy.size();
      auto directive = policy.substr(start, end - start);
      start = end + 1;
      auto first = directive.find_first_not_of(' ');
      if (first == std::string::npos) continue;
      directive = directive.substr(first, directive.find_last_not_of(' ') - first + 1);
      auto space = directive.find(' ');
      directives[directive.substr(0, space)] = space == std::string::npos ? "" : directive.substr(space + 1);
    }
    return directives;
  }

  static int count_of(const Response& response, const std::string& name) {
    int count = 0;
    for (const auto& [key, value] : response.headers)
      if (boost::algorithm::iequals(key, name)) ++count;
    return count;
  }

  // What every answer carries, the page, its files and the API's JSON alike.
  static void expect_security_headers(const Response& response) {
    EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response.header("X-Frame-Options"), "DENY");
    EXPECT_EQ(response.header("Referrer-Policy"), "no-referrer");
    for (const auto* name : {"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"})
      EXPECT_EQ(count_of(response, name), 1) << name;  // two policies would both apply
    EXPECT_EQ(directives_of(response.header("Content-Security-Policy"))["frame-ancestors"], "'none'")
        << response.header("Content-Security-Policy");
  }

  // An answer that is not the page: opened in a browser, it may load and run nothing.
  static void expect_loads_nothing(const Response& response) {
    expect_security_headers(response);
    EXPECT_EQ(directives_of(response.header("Content-Security-Policy"))["default-src"], "'none'")
        << response.header("Content-Security-Policy");
  }

  static inline std::string web_dir_;
  static inline std::unique_ptr<TestPlatform> platform_;
};

TEST_F(GatewayWebApp, ThePageHasAStrictContentSecurityPolicy) {
  auto page = client_of(platform()).get("/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.content_type, "text/html")) << page.content_type;
  EXPECT_TRUE(contains(page.body, R"(id="app")"));
  expect_security_headers(page);

  auto policy = page.header("Content-Security-Policy");
  auto csp = directives_of(policy);
  EXPECT_EQ(csp["default-src"], "'self'") << policy;
  EXPECT_EQ(csp["script-src"], "'self'") << policy;  // no inline script, no eval, no other origin
  EXPECT_EQ(csp["style-src"], "'self'") << policy;
  EXPECT_EQ(csp["img-src"], "'self'") << policy;
  EXPECT_EQ(csp["connect-src"], "'self'") << policy;
  EXPECT_EQ(csp["object-src"], "'none'") << policy;
  EXPECT_EQ(csp["base-uri"], "'none'") << policy;
  EXPECT_EQ(csp["form-action"], "'self'") << policy;
  EXPECT_FALSE(contains(policy, "unsafe")) << policy;
  EXPECT_FALSE(contains(policy, "*")) << policy;
  EXPECT_FALSE(contains(policy, "data:")) << policy;
  EXPECT_EQ(page.header("Cache-Control"), "no-cache");
}

TEST_F(GatewayWebApp, TheAppsFilesCarryTheHeadersAndRunNothingOnTheirOwn) {
  auto client = client_of(platform());
  auto script = client.get("/assets/index-abc.js");
  ASSERT_EQ(script.status, 200) << script.body;
  EXPECT_TRUE(contains(script.content_type, "text/javascript")) << script.content_type;
  EXPECT_TRUE(contains(script.header("Cache-Control"), "immutable"));
  expect_loads_nothing(script);

  // An SVG opened as a page of its own could run script: here it may not.
  auto image = client.get("/assets/icon-abc.svg");
  ASSERT_EQ(image.status, 200) << image.body;
  EXPECT_TRUE(contains(image.content_type, "image/svg+xml")) << image.content_type;
  expect_loads_nothing(image);

  expect_loads_nothing(client.get("/assets/missing-abc.js"));
}

TEST_F(GatewayWebApp, TheApisAnswersAreNeitherSniffedNorFramedAndKeepTheirCors) {
  auto client = client_of(platform());
  auto store = client.get("/stores/1", {{"Origin", kAllowedOrigin}});
  EXPECT_EQ(store.status, 200) << store.body;
  expect_loads_nothing(store);
  EXPECT_EQ(store.header("Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_EQ(store.header("Access-Control-Allow-Credentials"), "true");

  auto unauthorized = client.get("/orders/1", {{"Origin", kAllowedOrigin}});
  EXPECT_EQ(unauthorized.status, 401);
  expect_loads_nothing(unauthorized);
  EXPECT_EQ(unauthorized.header("Access-Control-Allow-Origin"), kAllowedOrigin);

  // The gateway's own answers: a 404, its health, a preflight.
  auto unknown = client.get("/no/such/path");
  expect_problem(unknown, 404, "Not Found");
  expect_loads_nothing(unknown);
  expect_loads_nothing(client.get("/health"));
  auto preflight = client.send("OPTIONS", "/auth/login", {},
                               {{"Origin", kAllowedOrigin}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), kAllowedOrigin);
  expect_loads_nothing(preflight);
}

}  // namespace
