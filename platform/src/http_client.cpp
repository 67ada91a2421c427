#include "platform/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <algorithm>
#include <atomic>
#include <optional>

#include "platform/config.hpp"
#include "platform/trace.hpp"

namespace platform {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// The Host field: the port is left out when it is its scheme's own.
std::string authority(const Origin& origin) {
  return origin.port == (origin.tls ? 443 : 80) ? origin.host : origin.text();
}

// Peers are verified against the system's CA store; nothing older than TLS 1.2 is spoken.
ssl::context client_tls_context() {
  ssl::context context(ssl::context::tls_client);
  context.set_default_verify_paths();
  context.set_verify_mode(ssl::verify_peer);
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error("cannot require TLS 1.2 or later");
  return context;
}

// Why a handshake failed, in the words of the certificate check when that is what refused it.
std::string tls_failure(const std::string& host, const boost::system::error_code& error, SSL* session) {
  auto what = "TLS handshake with " + host + " failed: ";
  if (error.category() != asio::error::get_ssl_category()) return what + error.message();
  auto verdict = SSL_get_verify_result(session);
  if (verdict == X509_V_ERR_HOSTNAME_MISMATCH || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH)
    return what + "certificate verify failed: the certificate is not for " + host + " (" +
           X509_verify_cert_error_string(verdict) + ")";
  if (verdict != X509_V_OK) return what + "certificate verify failed: " + X509_verify_cert_error_string(verdict);
  return what + error.message();
}

}  // namespace

struct HttpClient::Impl {
  std::vector<Origin> origins;  // a service's replicas; one is used until it cannot be reached
  std::size_t current = 0;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};  // to an http:// origin
  std::optional<ssl::context> tls;  // made when an origin is https://
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;  // to an https:// origin, one per connection
  beast::flat_buffer buffer;
  bool open = false;
  bool sent = false;  // the request may have reached the server: it is not sent anywhere else
  std::string failure;  // why the last TLS handshake failed, for the caller's error
  std::shared_ptr<CircuitBreaker> breaker;

  const Origin& origin() const { return origins[current]; }
  beast::tcp_stream& connection() { return secure ? beast::get_lowest_layer(*secure) : stream; }

  asio::awaitable<Response> exchange(http::request<http::string_body>& request) {
    sent = false;
    failure.clear();
    if (!open) {
      tcp::resolver resolver(ioc);
      auto endpoints =
          co_await resolver.async_resolve(origin().host, std::to_string(origin().port), asio::use_awaitable);
      if (origin().tls) secure.emplace(ioc, *tls);
      connection().expires_after(timeout);
      co_await connection().async_connect(endpoints, asio::use_awaitable);
      connection().socket().set_option(tcp::no_delay(true));
      if (secure) co_await handshake();
      open = true;
    }
    sent = true;
    connection().expires_after(timeout);
    if (secure) co_return co_await talk(*secure, request);
    co_return co_await talk(stream, request);
  }

  // The host's name goes out as SNI and must be in its certificate; OpenSSL's own host check
  // (rather than a verify callback) makes a mismatch a verify result that the error can name.
  asio::awaitable<void> handshake() {
    auto* session = secure->native_handle();
    const auto& host = origin().host;
    boost::system::error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    bool checked = not_an_address ? SSL_set_tlsext_host_name(session, host.c_str()) == 1 &&
                                        SSL_set1_host(session, host.c_str()) == 1
                                  : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), host.c_str()) == 1;
    if (!checked) throw std::runtime_error("cannot set up the certificate check for " + host);
    boost::system::error_code error;
    co_await secure->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      failure = tls_failure(host, error, session);
      throw boost::system::system_error(error);
    }
  }

  template <class Stream>
  asio::awaitable<Response> talk(Stream& to, http::request<http::string_body>& request) {
    co_await http::async_write(to, request, asio::use_awaitable);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(to, buffer, parser, asio::use_awaitable);
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
    connection().socket().close(ignored);
    secure.reset();  // an SSL stream serves one connection only
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
  bool any_tls = std::any_of(origins.begin(), origins.end(), [](const Origin& origin) { return origin.tls; });
  impl_->origins = std::move(origins);
  impl_->timeout = timeout;
  if (any_tls) impl_->tls.emplace(client_tls_context());
}

Origin parse_origin(const std::string& url) {
  Origin origin;
  std::string authority = url;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    auto name = url.substr(0, scheme);
    if (name != "http" && name != "https")
      throw std::invalid_argument("'" + url + "' is neither http:// nor https://");
    origin.tls = name == "https";
    authority = url.substr(scheme + 3);
  }
  if (auto slash = authority.find('/'); slash != std::string::npos) authority.resize(slash);
  auto colon = authority.rfind(':');
  origin.host = authority.substr(0, colon);
  if (colon == std::string::npos) {
    origin.port = origin.tls ? 443 : 80;
    return origin;
  }
  int port = 0;
  try {
    port = std::stoi(authority.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port <= 0 || port > 65535) throw std::invalid_argument("bad port in '" + url + "'");
  origin.port = static_cast<std::uint16_t>(port);
  return origin;
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

void HttpClient::trust_ca_file(const std::string& path) {
  if (!impl_->tls) throw std::invalid_argument("the CA file " + path + " is for https:// origins, and " +
                                               impl_->origin().url() + " is not one");
  boost::system::error_code error;
  impl_->tls->load_verify_file(path, error);
  if (error) throw std::invalid_argument("cannot read the CA file " + path + ": " + error.message());
}

Response HttpClient::send(const std::string& method, const std::string& target, const std::string& body,
                          const Headers& headers) {
  auto& breaker = impl_->breaker;
  if (!breaker) return exchange(method, target, body, headers);
  if (!breaker->allow())
    throw CircuitOpen("circuit breaker '" + breaker->name() + "' is open: " + method + " " +
                      impl_->origin().url() + target + " not attempted");
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
  // Each call is a span of the caller's trace, which the server called continues.
  if (const auto* trace = trace::current()) request.set("traceparent", trace->child().traceparent());
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();
  auto failed = [&](const boost::system::system_error& error) {
    return std::runtime_error(method + " " + impl_->origin().url() + target + " failed: " +
                              (impl_->failure.empty() ? error.code().message() : impl_->failure));
  };
  // Each origin once; a request that may have reached a server goes nowhere else, for it
  // may have taken effect there.
  for (std::size_t tried = 1;; ++tried) {
    request.set(http::field::host, authority(impl_->origin()));
    bool reused = impl_->open;
    try {
      return impl_->attempt(request);
    } catch (const boost::system::system_error& error) {
      impl_->close();
      // A kept-alive connection the server already closed: one fresh attempt.
      bool stale = reused && (error.code() == http::error::end_of_stream || error.code() == asio::error::eof ||
                              error.code() == asio::error::connection_reset ||
                              error.code() == asio::error::broken_pipe ||
                              error.code() == ssl::error::stream_truncated);
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
