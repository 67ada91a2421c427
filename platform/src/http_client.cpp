#include "platform/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace platform {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;
  std::shared_ptr<CircuitBreaker> breaker;

  asio::awaitable<Response> exchange(http::request<http::string_body>& request) {
    if (!open) {
      tcp::resolver resolver(ioc);
      auto endpoints = co_await resolver.async_resolve(host, std::to_string(port), asio::use_awaitable);
      stream.expires_after(timeout);
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      stream.socket().set_option(tcp::no_delay(true));
      open = true;
    }
    stream.expires_after(timeout);
    co_await http::async_write(stream, request, asio::use_awaitable);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    auto in = parser.release();
    Response response;
    response.status = static_cast<int>(in.result_int());
    response.content_type = std::string(in[http::field::content_type]);
    for (const auto& field : in) response.headers.emplace_back(field.name_string(), field.value());
    response.body = std::move(in.body());
    if (!in.keep_alive()) close();
    co_return response;
  }

  void close() {
    beast::error_code ignored;
    stream.socket().close(ignored);
    buffer.clear();
    open = false;
  }

  Response attempt(http::request<http::string_body>& request) {
    auto future = asio::co_spawn(ioc, exchange(request), asio::use_future);
    ioc.restart();
    ioc.run();
    return future.get();
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

Origin parse_origin(const std::string& url) {
  std::string authority = url.rfind("http://", 0) == 0 ? url.substr(7) : url;
  if (auto slash = authority.find('/'); slash != std::string::npos) authority.resize(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) return {authority, 80};
  int port = 0;
  try {
    port = std::stoi(authority.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port <= 0 || port > 65535) throw std::invalid_argument("bad port in '" + url + "'");
  return {authority.substr(0, colon), static_cast<std::uint16_t>(port)};
}

HttpClient HttpClient::to(const std::string& origin, std::chrono::milliseconds timeout) {
  auto parsed = parse_origin(origin);
  return HttpClient(parsed.host, parsed.port, timeout);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

void HttpClient::guard(std::shared_ptr<CircuitBreaker> breaker) { impl_->breaker = std::move(breaker); }

Response HttpClient::send(const std::string& method, const std::string& target, const std::string& body,
                          const Headers& headers) {
  auto& breaker = impl_->breaker;
  if (!breaker) return exchange(method, target, body, headers);
  if (!breaker->allow())
    throw CircuitOpen("circuit breaker '" + breaker->name() + "' is open: " + method + " http://" + impl_->host + ":" +
                      std::to_string(impl_->port) + target + " not attempted");
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  };
  try {
    auto response = exchange(method, target, body, headers);
    breaker->record(response.status < 500, elapsed());
    return response;
  } catch (...) {
    breaker->record(false, elapsed());
    throw;
  }
}

Response HttpClient::exchange(const std::string& method, const std::string& target, const std::string& body,
                              const Headers& headers) {
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();
  bool reused = impl_->open;
  try {
    return impl_->attempt(request);
  } catch (const boost::system::system_error& error) {
    impl_->close();
    // A kept-alive connection the server already closed: one fresh attempt.
    bool stale = reused && (error.code() == http::error::end_of_stream || error.code() == asio::error::eof ||
                            error.code() == asio::error::connection_reset || error.code() == asio::error::broken_pipe);
    if (!stale)
      throw std::runtime_error(method + " http://" + impl_->host + ":" + std::to_string(impl_->port) + target +
                               " failed: " + error.code().message());
  }
  try {
    return impl_->attempt(request);
  } catch (const boost::system::system_error& error) {
    impl_->close();
    throw std::runtime_error(method + " http://" + impl_->host + ":" + std::to_string(impl_->port) + target +
                             " failed: " + error.code().message());
  }
}

}  // namespace platform
