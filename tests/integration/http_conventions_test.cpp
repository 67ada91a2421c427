// The HTTP conventions that clients and tools assume, through the gateway of a real platform:
// 405 with Allow, HEAD and OPTIONS answered, WWW-Authenticate on 401, 415 for a body that is
// not JSON, application/hal+json when asked for, numbers written as strings (httpie's
// key=value), compression and caching at the gateway, and problem+json for every error
// nginx answers itself.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/api.hpp"
#include "support/command.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::Reply;
using fd::test::TestPlatform;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// What came back on a connection for raw request bytes, read until the gateway closed it
// (every request here says Connection: close, or is one nginx closes after its error).
struct RawReply {
  std::string head;  // status line and headers
  std::string body;  // whatever followed the blank line

  int status() const { return head.size() > 12 ? std::stoi(head.substr(9, 3)) : 0; }
  std::string header(const std::string& name) const {
    std::string lower_head, lower_name = name;
    for (char c : head) lower_head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = lower_head.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    auto start = head.find_first_not_of(' ', at + 3 + name.size());
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

RawReply exchange_raw(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot connect to the gateway");
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[8192];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto end = received.find("\r\n\r\n");
  if (end == std::string::npos) return {received, ""};
  return {received.substr(0, end + 2), received.substr(end + 4)};
}

// An answer of the gateway itself, or of a service, in problem+json with this status.
void expect_problem_json(int status, const std::string& content_type, const std::string& body, int expected) {
  EXPECT_EQ(status, expected) << body;
  EXPECT_EQ(content_type, "application/problem+json") << expected << ": " << body;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << "not JSON: " << body;
  EXPECT_EQ(parsed.at("status").as_int64(), expected);
  EXPECT_FALSE(parsed.at("title").as_string().empty());
  EXPECT_FALSE(parsed.at("detail").as_string().empty());
}

void expect_problem(const RawReply& reply, int expected) {
  SCOPED_TRACE(reply.head);
  expect_problem_json(reply.status(), reply.header("Content-Type"), reply.body, expected);
}

void expect_problem(const Reply& reply, int expected) {
  expect_problem_json(reply.status, reply.content_type, reply.raw, expected);
}

// Whether any Vary header of the reply names this header (a service, the gateway and nginx's
// gzip each send one).
bool varies_by(const Reply& reply, const std::string& name) {
  for (const auto& [key, value] : reply.headers) {
    if (!boost::algorithm::iequals(key, "Vary")) continue;
    std::size_t start = 0;
    while (start <= value.size()) {
      auto end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      auto token = value.substr(start, end - start);
      token.erase(0, token.find_first_not_of(' '));
      token.erase(token.find_last_not_of(' ') + 1);
      if (token == name) return true;
      start = end + 1;
    }
  }
  return false;
}

// One platform for the suite, its gateway serving a stand-in web app (FD_WEB_DIR) with a
// script large enough to be worth compressing.
class HttpConventions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string script;
    for (int i = 0; i < 200; ++i) script += "export const step" + std::to_string(i) + " = 'a line of the app';\n";
    web_dir_ = fd::test::make_stand_in_web_app("fd-http-web-", script);
    platform_ = std::make_unique<TestPlatform>(TestPlatform::Env{{"FD_WEB_DIR", web_dir_}});
  }
  static void TearDownTestSuite() {
    platform_.reset();
    std::error_code ec;
    std::filesystem::remove_all(web_dir_, ec);
  }

  void SetUp() override {
    customer_ = std::make_unique<Api>(port());
    customer_->login("customer1");
  }

  static int port() { return platform_->gateway_port(); }
  Api& customer() { return *customer_; }
  static Api anonymous() { return Api(port()); }
  static std::size_t events() { return platform::read_stream(platform_->nats_url()).size(); }

  // An order placed here is paid by events; once it is, no event follows until someone acts,
  // so a test that counts the events after it counts its own alone.
  void expect_placed_and_paid(const Reply& placed) {
    ASSERT_EQ(placed.status, 201) << placed.raw;
    auto path = "/orders/" + std::to_string(placed.body.at("orderId").as_int64());
    EXPECT_TRUE(fd::test::eventually([&] {
      auto order = customer().get(path);
      return order.status == 200 && order.body.at("status").as_string() == "PAID";
    })) << customer().get(path).raw;
  }

  static inline std::string web_dir_;
  static inline std::unique_ptr<TestPlatform> platform_;

 private:
  std::unique_ptr<Api> customer_;
};

constexpr const char* kOrder =
    R"({"storeId":1,"items":[{"menuId":101,"qty":2}],"address":"x","lat":37.5,"lon":127.03})";

// ------------------------------------------------------------------ methods ----

TEST_F(HttpConventions, A405SaysWhichMethodsThePathTakes) {
  auto patch = customer().call("PATCH", "/orders/1");
  expect_problem(patch, 405);
  EXPECT_EQ(patch.header("Allow"), "GET, HEAD, OPTIONS");
  auto del = customer().call("DELETE", "/riders/me/location");
  expect_problem(del, 405);
  EXPECT_EQ(del.header("Allow"), "PUT, GET, HEAD, OPTIONS");
  auto get = customer().call("GET", "/orders/1/cancel");
  expect_problem(get, 405);
  EXPECT_EQ(get.header("Allow"), "PUT, OPTIONS");
}

TEST_F(HttpConventions, OptionsAnswers204WithAllow) {
  auto options = anonymous().call("OPTIONS", "/orders");
  EXPECT_EQ(options.status, 204) << options.raw;
  EXPECT_TRUE(options.raw.empty());
  EXPECT_EQ(options.header("Allow"), "POST, GET, HEAD, OPTIONS");
  EXPECT_EQ(anonymous().call("OPTIONS", "/stores/1").header("Allow"), "GET, HEAD, OPTIONS");
  expect_problem(anonymous().call("OPTIONS", "/orders/1/nothing"), 404);
}

TEST_F(HttpConventions, HeadHasTheHeadersOfGetAndNoBody) {
  auto get = anonymous().get("/stores/1");
  ASSERT_EQ(get.status, 200) << get.raw;
  auto head = exchange_raw(port(), "HEAD /stores/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.status(), 200) << head.head;
  EXPECT_EQ(head.header("Content-Type"), get.content_type);
  EXPECT_EQ(head.header("Content-Length"), std::to_string(get.raw.size())) << head.head;
  EXPECT_TRUE(head.body.empty()) << head.body;

  // A protected resource: the 401's headers, still no body.
  auto refused = exchange_raw(port(), "HEAD /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(refused.status(), 401) << refused.head;
  EXPECT_EQ(refused.header("WWW-Authenticate"), "Bearer");
  EXPECT_TRUE(refused.body.empty()) << refused.body;
}

// ------------------------------------------------------------- 401 and 415 ----

TEST_F(HttpConventions, A401ChallengesWithBearerAndSaysWhenTheTokenWasRefused) {
  auto none = anonymous().get("/orders");
  expect_problem(none, 401);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  auto forged = anonymous().call("GET", "/orders", {}, {{"Authorization", "Bearer not.a.token"}});
  expect_problem(forged, 401);
  EXPECT_EQ(forged.header("WWW-Authenticate"), R"(Bearer error="invalid_token")");
  auto other_scheme = anonymous().call("GET", "/orders", {}, {{"Authorization", "Basic Y3VzdG9tZXIxOmRlbW8xMjM0"}});
  EXPECT_EQ(other_scheme.header("WWW-Authenticate"), "Bearer");
  auto wrong_password = anonymous().post("/auth/login", {{"username", "customer1"}, {"password", "not-the-one"}});
  expect_problem(wrong_password, 401);
  EXPECT_EQ(wrong_password.header("WWW-Authenticate"), "Bearer");
}

TEST_F(HttpConventions, ABodyThatIsNotJsonIs415AndPlacesNothing) {
  auto before = events();
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded"}) {
    auto refused = customer().call("POST", "/orders", kOrder, {{"Content-Type", type}});
    expect_problem(refused, 415);
    EXPECT_TRUE(contains(refused.detail(), type)) << refused.raw;
    EXPECT_TRUE(contains(refused.detail(), "application/json")) << refused.raw;
  }
  // curl -d without -H: a form, even of a login.
  auto form_login = anonymous().call("POST", "/auth/login", R"({"username":"customer1","password":"demo1234"})",
                                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  expect_problem(form_login, 415);
  EXPECT_EQ(events(), before);

  // A body with no Content-Type at all is read as the JSON the route takes.
  auto untyped = exchange_raw(port(), "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                      "Authorization: Bearer " + customer().token() + "\r\nContent-Length: " +
                                          std::to_string(std::string(kOrder).size()) + "\r\n\r\n" + kOrder);
  ASSERT_EQ(untyped.status(), 201) << untyped.head << untyped.body;
  expect_placed_and_paid(Reply{201, "", "", boost::json::parse(untyped.body), untyped.body, {}});
  auto typed = customer().call("POST", "/orders", kOrder, {{"Content-Type", "application/json; charset=utf-8"}});
  expect_placed_and_paid(typed);
}

// ---------------------------------------------------------------------- HAL ----

TEST_F(HttpConventions, HalJsonWhenAskedForAndProblemsStayProblemJson) {
  auto plain = anonymous().get("/stores/1");
  ASSERT_EQ(plain.status, 200) << plain.raw;
  EXPECT_EQ(plain.content_type, "application/json");
  ASSERT_TRUE(plain.body.as_object().contains("_links"));
  auto hal = anonymous().call("GET", "/stores/1", {}, {{"Accept", "application/hal+json"}});
  EXPECT_EQ(hal.status, 200);
  EXPECT_EQ(hal.content_type, "application/hal+json");
  EXPECT_EQ(hal.raw, plain.raw);
  EXPECT_TRUE(varies_by(hal, "Accept"));
  auto placed = customer().call("POST", "/orders", kOrder, {{"Accept", "application/hal+json, */*;q=0.1"}});
  EXPECT_EQ(placed.content_type, "application/hal+json");
  expect_placed_and_paid(placed);

  auto missing = anonymous().call("GET", "/stores/999", {}, {{"Accept", "application/hal+json"}});
  expect_problem(missing, 404);
  auto refused = anonymous().call("GET", "/orders", {}, {{"Accept", "application/hal+json"}});
  expect_problem(refused, 401);
}

// ----------------------------------------------------------- numeric strings ----

TEST_F(HttpConventions, NumbersWrittenAsCanonicalStringsAreNumbers) {
  // What httpie's `http POST :8088/orders storeId=1 items:='[...]' address=x lat=37.5
  // lon=127.03` sends: every key=value a string.
  auto placed = customer().call(
      "POST", "/orders", R"({"storeId":"1","items":[{"menuId":101,"qty":2}],"address":"x","lat":"37.5","lon":"127.03"})");
  expect_placed_and_paid(placed);
  EXPECT_EQ(placed.body.at("storeId").as_int64(), 1);
  auto quantity = customer().call(
      "POST", "/orders", R"({"storeId":1,"items":[{"menuId":"101","qty":"2"}],"address":"x","lat":37.5,"lon":127.03})");
  expect_placed_and_paid(quantity);

  // And httpie itself (Debian's), typed as the seeds' README types it.
  auto typed = fd::test::run_command("http --ignore-stdin --check-status --print=b POST :" + std::to_string(port()) +
                                     "/orders storeId=1 items:='[{\"menuId\":101,\"qty\":2}]' address=x lat=37.5 "
                                     "lon=127.03 -A bearer -a " + customer().token());
  EXPECT_EQ(typed.status, 0) << typed.output;
  EXPECT_TRUE(contains(typed.output, "\"status\":\"PLACED\"")) << typed.output;

  auto before = events();
  for (const char* spelling : {"01", " 1", "+1", "1e3", "1.0", "one"}) {
    auto body = std::string(R"({"storeId":")") + spelling +
                R"(","items":[{"menuId":101,"qty":2}],"address":"x","lat":"37.5","lon":"127.03"})";
    auto refused = customer().call("POST", "/orders", body);
    expect_problem(refused, 400);
    EXPECT_TRUE(contains(refused.detail(), "storeId must be an integer")) << spelling << ": " << refused.raw;
  }
  for (const char* spelling : {"037.5", " 37.5", "+37.5", "3.75e1", "37."}) {
    auto body = std::string(R"({"storeId":1,"items":[{"menuId":101,"qty":2}],"address":"x","lat":")") + spelling +
                R"(","lon":127.03})";
    auto refused = customer().call("POST", "/orders", body);
    expect_problem(refused, 400);
    EXPECT_TRUE(contains(refused.detail(), "lat must be a number")) << spelling << ": " << refused.raw;
  }
  EXPECT_EQ(events(), before);
}

// ------------------------------------------------------------------ gateway ----

TEST_F(HttpConventions, TheGatewayCompressesJsonAndTheAppsText) {
  auto stores = anonymous().call("GET", "/stores", {}, {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(stores.status, 200);
  ASSERT_GT(anonymous().get("/stores").raw.size(), 1024u);  // else it is too small to be worth it
  EXPECT_EQ(stores.header("Content-Encoding"), "gzip");
  EXPECT_TRUE(varies_by(stores, "Accept-Encoding"));
  EXPECT_EQ(anonymous().get("/stores").header("Content-Encoding"), "");  // not asked for

  auto script = anonymous().call("GET", "/assets/index-abc.js", {}, {{"Accept-Encoding", "gzip, br"}});
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.header("Content-Encoding"), "gzip");
  EXPECT_LT(script.raw.size(), std::filesystem::file_size(web_dir_ + "/assets/index-abc.js") / 4);
  EXPECT_EQ(script.header("Cache-Control"), "public, max-age=31536000, immutable");

  auto page = anonymous().call("GET", "/", {}, {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Cache-Control"), "no-cache");

  // A small answer is not worth packing.
  auto health = anonymous().call("GET", "/health", {}, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(health.header("Content-Encoding"), "");
}

TEST_F(HttpConventions, EveryErrorOfNginxItselfIsProblemJson) {
  auto close = "Host: 127.0.0.1\r\nConnection: close\r\n";
  expect_problem(exchange_raw(port(), "NOT A REQUEST\r\n\r\n"), 400);
  expect_problem(exchange_raw(port(), std::string("GET /orders HTTP/1.1\r\n") + close + "Bad Header\r\n\r\n"), 400);
  expect_problem(exchange_raw(port(), "GET /stores/" + std::string(9000, '1') + " HTTP/1.1\r\n" + close + "\r\n"),
                 414);
  expect_problem(
      exchange_raw(port(), std::string("GET /stores HTTP/1.1\r\n") + close + "X-Big: " + std::string(9000, 'a') +
                               "\r\n\r\n"),
      431);
  expect_problem(exchange_raw(port(), std::string("POST /stores HTTP/1.1\r\n") + close +
                                          "Transfer-Encoding: gzip\r\n\r\n"),
                 501);
  auto post_page = exchange_raw(port(), std::string("POST / HTTP/1.1\r\n") + close + "Content-Length: 0\r\n\r\n");
  expect_problem(post_page, 405);
  EXPECT_EQ(post_page.header("Allow"), "GET, HEAD");
  expect_problem(exchange_raw(port(), std::string("GET /assets/missing-abc.js HTTP/1.1\r\n") + close + "\r\n"), 404);
  expect_problem(exchange_raw(port(), std::string("GET /assets/missing-abc.html HTTP/1.1\r\n") + close + "\r\n"), 404);
  auto too_large = customer().call("POST", "/orders", std::string(70 * 1024, ' '));
  expect_problem(too_large, 413);
  // Every one carries the security headers of an answer that loads nothing.
  auto uri = exchange_raw(port(), "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n" + close + "\r\n");
  EXPECT_TRUE(contains(uri.header("Content-Security-Policy"), "default-src 'none'")) << uri.head;
  EXPECT_EQ(uri.header("X-Content-Type-Options"), "nosniff");
}

TEST_F(HttpConventions, AServiceThatIsDownIs502ProblemJson) {
  platform_->kill("payment");
  auto down = customer().get("/payments/1");
  platform_->start("payment");
  expect_problem(down, 502);
  EXPECT_EQ(down.header("Retry-After"), "1");
}

}  // namespace
