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
#include <atomic>

#include "platform/config.hpp"

namespace platform {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  std::vector<Origin> origins;  // a service's replicas; one is used until it cannot be reached
  std::size_t current = 0;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;
  bool sent = false;  // the request may have reached the server: it is not sent anywhere else
  std::shared_ptr<CircuitBreaker> breaker;

  const Origin& origin() const { return origins[current]; }

  asio::awaitable<Response> exchange(http::request<http::string_body>& request) {
    sent = false;
    if (!open) {
      tcp::resolver resolver(ioc);
      auto endpoints =
          co_await resolver.async_resolve(origin().host, std::to_string(origin().port), asio::use_awaitable);
      stream.expires_after(timeout);
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      stream.socket().set_option(tcp::no_delay(true));
      open = true;
    }
    sent = true;
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
    : HttpClient(std::vector<Origin>{{std::move(host), port}}, timeout) {}

HttpClient::HttpClient(std::vector<Origin> origins, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  if (origins.empty()) throw std::invalid_argument("an HTTP client needs at least one origin");
  // Clients made one after another start at different replicas, spreading the calls.
  static std::atomic<std::size_t> next_start{0};
  impl_->current = next_start++ % origins.size();
  impl_->origins = std::move(origins);
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

HttpClient HttpClient::to(const std::string& origins, std::chrono::milliseconds timeout) {
  std::vector<Origin> parsed;
  for (const auto& origin : comma_separated(origins))
    if (!origin.empty()) parsed.push_back(parse_origin(origin));
  if (parsed.empty()) throw std::invalid_argument("no origin in '" + origins + "'");
  return HttpClient(std::move(parsed), timeout);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

void HttpClient::guard(std::shared_ptr<CircuitBreaker> breaker) { impl_->breaker = std::move(breaker); }

Response HttpClient::send(const std::string& method, const std::string& target, const std::string& body,
                          const Headers& headers) {
  auto& breaker = impl_->breaker;
  if (!breaker) return exchange(method, target, body, headers);
  if (!breaker->allow())
    throw CircuitOpen("circuit breaker '" + breaker->name() + "' is open: " + method + " http://" +
                      impl_->origin().text() + target + " not attempted");
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
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();
  auto failed = [&](const boost::system::system_error& error) {
    return std::runtime_error(method + " http://" + impl_->origin().text() + target +
                              " failed: " + error.code().message());
  };
  // Each origin once; a request that may have reached a server goes nowhere else, for it
  // may have taken effect there.
  for (std::size_t tried = 1;; ++tried) {
    request.set(http::field::host, impl_->origin().text());
    bool reused = impl_->open;
    try {
      return impl_->attempt(request);
    } catch (const boost::system::system_error& error) {
      impl_->close();
      // A kept-alive connection the server already closed: one fresh attempt.
      bool stale = reused && (error.code() == http::error::end_of_stream || error.code() == asio::error::eof ||
                              error.code() == asio::error::connection_reset ||
                              error.code() == asio::error::broken_pipe);
      if (stale) {
        try {
          return impl_->attempt(request);
        } catch (const boost::system::system_error& again) {
          impl_->close();
          if (impl_->sent || tried == impl_->origins.size()) throw failed(again);
        }
      } else if (impl_->sent || tried == impl_->origins.size()) {
        throw failed(error);
      }
    }
    impl_->current = (impl_->current + 1) % impl_->origins.size();
  }
}

}  // namespace platform
