#include "support/fake_kakao.hpp"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "platform/http_server.hpp"
#include "platform/router.hpp"
#include "support/test_ca.hpp"

namespace fd::test {

namespace {

std::string form_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// The value of one field of an application/x-www-form-urlencoded body; empty when absent.
std::string form_field(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && form_decode(pair.substr(0, eq)) == name) return form_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return {};
}

// Kakao's error answers look like this: {"msg":"...","code":-2}.
platform::Response kakao_error(int status, int code, const std::string& why) {
  return platform::json_response(status, boost::json::object{{"msg", why}, {"code", code}});
}

std::string string_at(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// TLS in front of the plain fake: each connection's handshake, then its bytes both ways
// unchanged, so that what goes over TLS is the very wire format of the plain fake.
class TlsFront {
 public:
  TlsFront(const TestCa::Issued& certificate, std::uint16_t plain_port) : plain_port_(plain_port) {
    context_.use_certificate_chain(asio::buffer(certificate.certificate));
    context_.use_private_key(asio::buffer(certificate.private_key), ssl::context::pem);
    SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::address_v4::loopback(), 0});
    acceptor_.listen();
    asio::co_spawn(ioc_, accept(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TlsFront() {
    ioc_.stop();
    thread_.join();
  }
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct Connection {
    ssl::stream<tcp::socket> tls;
    tcp::socket plain;

    void close() {
      boost::system::error_code ignored;
      tls.lowest_layer().close(ignored);
      plain.close(ignored);
    }
  };

  asio::awaitable<void> accept() {
    for (;;) {
      auto [error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (error) co_return;
      asio::co_spawn(ioc_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    auto connection = std::make_shared<Connection>(Connection{{std::move(socket), context_}, tcp::socket(ioc_)});
    // A client that refuses the certificate ends the handshake: nothing reaches the API.
    auto [refused] = co_await connection->tls.async_handshake(ssl::stream_base::server,
                                                              asio::as_tuple(asio::use_awaitable));
    if (refused) {
      connection->close();
      co_return;
    }
    auto [unreachable] = co_await connection->plain.async_connect({asio::ip::address_v4::loopback(), plain_port_},
                                                                  asio::as_tuple(asio::use_awaitable));
    if (unreachable) {
      connection->close();
      co_return;
    }
    asio::co_spawn(ioc_, pump(connection, connection->tls, connection->plain), asio::detached);
    asio::co_spawn(ioc_, pump(connection, connection->plain, connection->tls), asio::detached);
  }

  // Until either side closes, which closes both.
  template <class From, class To>
  static asio::awaitable<void> pump(std::shared_ptr<Connection> connection, From& from, To& to) {
    std::array<char, 16 * 1024> chunk;
    for (;;) {
      auto [read_error, read] = co_await from.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
      if (read_error) break;
      auto [write_error, written] =
          co_await asio::async_write(to, asio::buffer(chunk.data(), read), asio::as_tuple(asio::use_awaitable));
      if (write_error) break;
    }
    connection->close();
  }

  std::uint16_t plain_port_;
  ssl::context context_{ssl::context::tls_server};
  asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
};

}  // namespace

struct FakeKakao::State {
  std::string token;
  platform::Router router;
  std::unique_ptr<platform::HttpServer> server;
  std::thread thread;
  std::unique_ptr<TestCa> ca;        // over TLS only
  std::unique_ptr<TlsFront> front;
  std::string ca_file;

  mutable std::mutex mutex;
  std::condition_variable released;
  bool holding = false;
  int failures_left = 0;
  int requests = 0;
  int held = 0;
  std::chrono::milliseconds answer_delay{0};
  std::vector<Message> messages;
  std::vector<std::string> problems;

  platform::Response refuse(int status, int code, const std::string& why) {
    std::lock_guard lock(mutex);
    problems.push_back(why);
    return kakao_error(status, code, why);
  }

  platform::Response send(platform::Request& request) {
    {
      std::lock_guard lock(mutex);
      ++requests;
    }
    if (request.header("authorization") != "Bearer " + token)
      return refuse(401, -401, "expected Authorization: Bearer " + token + ", got '" + request.header("authorization") + "'");
    if (request.header("content-type").rfind("application/x-www-form-urlencoded", 0) != 0)
      return refuse(400, -2, "expected an application/x-www-form-urlencoded body, got '" + request.header("content-type") + "'");
    auto template_text = form_field(request.body, "template_object");
    boost::system::error_code ec;
    auto parsed = boost::json::parse(template_text, ec);
    if (ec || !parsed.is_object()) return refuse(400, -2, "template_object is not a JSON object: " + template_text);
    const auto& object = parsed.as_object();
    if (string_at(object, "object_type") != "text") return refuse(400, -2, "object_type is not \"text\": " + template_text);
    auto* link = object.if_contains("link");
    Message message{string_at(object, "text"), link && link->is_object() ? string_at(link->as_object(), "web_url") : "",
                    link && link->is_object() ? string_at(link->as_object(), "mobile_web_url") : ""};
    if (message.text.empty() || message.web_url.empty())
      return refuse(400, -2, "a text template needs a text and a link.web_url: " + template_text);
    std::unique_lock lock(mutex);
    if (failures_left > 0) {
      --failures_left;
      return kakao_error(500, -1, "internal error (failure asked for by the test)");
    }
    messages.push_back(std::move(message));
    ++held;
    released.wait(lock, [&] { return !holding; });
    --held;
    if (answer_delay.count() > 0) {
      auto delay = answer_delay;
      lock.unlock();
      std::this_thread::sleep_for(delay);
    }
    return platform::json_response(200, boost::json::object{{"result_code", 0}});
  }
};

FakeKakao::FakeKakao(std::string token, std::string path) : state_(std::make_unique<State>()) {
  state_->token = std::move(token);
  state_->router.add("POST", path, [state = state_.get()](platform::Request& request) { return state->send(request); });
  // Threads enough for every call a sender may hold open while answers are held.
  state_->server = std::make_unique<platform::HttpServer>(state_->router, platform::ServerOptions{.threads = 16});
  state_->thread = std::thread([server = state_->server.get()] { server->run(); });
}

FakeKakao::FakeKakao(Tls tls, std::string token, std::string path) : FakeKakao(std::move(token), std::move(path)) {
  state_->ca = std::make_unique<TestCa>("fake Kakao test CA");
  state_->ca_file = state_->ca->certificate_file();
  state_->front = std::make_unique<TlsFront>(state_->ca->issue(tls.certified_host), state_->server->port());
}

FakeKakao::~FakeKakao() {
  release_answers();
  state_->front.reset();
  state_->server->stop();
  state_->thread.join();
}

std::string FakeKakao::base_url() const {
  if (state_->front) return "https://localhost:" + std::to_string(state_->front->port());
  return "http://127.0.0.1:" + std::to_string(state_->server->port());
}

const std::string& FakeKakao::ca_file() const { return state_->ca_file; }

const std::string& FakeKakao::token() const { return state_->token; }

void FakeKakao::fail_next(int n) {
  std::lock_guard lock(state_->mutex);
  state_->failures_left = n;
}

void FakeKakao::hold_answers() {
  std::lock_guard lock(state_->mutex);
  state_->holding = true;
}

void FakeKakao::release_answers() {
  {
    std::lock_guard lock(state_->mutex);
    state_->holding = false;
  }
  state_->released.notify_all();
}

void FakeKakao::answer_after(std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mutex);
  state_->answer_delay = delay;
}

std::vector<FakeKakao::Message> FakeKakao::messages() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages;
}

std::vector<std::string> FakeKakao::problems() const {
  std::lock_guard lock(state_->mutex);
  return state_->problems;
}

int FakeKakao::held() const {
  std::lock_guard lock(state_->mutex);
  return state_->held;
}

int FakeKakao::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace fd::test
