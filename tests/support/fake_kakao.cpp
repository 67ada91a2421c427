#include "support/fake_kakao.hpp"

#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "platform/http_server.hpp"
#include "platform/router.hpp"

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

}  // namespace

struct FakeKakao::State {
  std::string token;
  platform::Router router;
  std::unique_ptr<platform::HttpServer> server;
  std::thread thread;

  mutable std::mutex mutex;
  int failures_left = 0;
  int requests = 0;
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
    std::lock_guard lock(mutex);
    if (failures_left > 0) {
      --failures_left;
      return kakao_error(500, -1, "internal error (failure asked for by the test)");
    }
    messages.push_back(std::move(message));
    return platform::json_response(200, boost::json::object{{"result_code", 0}});
  }
};

FakeKakao::FakeKakao(std::string token, std::string path) : state_(std::make_unique<State>()) {
  state_->token = std::move(token);
  state_->router.add("POST", path, [state = state_.get()](platform::Request& request) { return state->send(request); });
  state_->server = std::make_unique<platform::HttpServer>(state_->router, platform::ServerOptions{});
  state_->thread = std::thread([server = state_->server.get()] { server->run(); });
}

FakeKakao::~FakeKakao() {
  state_->server->stop();
  state_->thread.join();
}

std::string FakeKakao::base_url() const { return "http://127.0.0.1:" + std::to_string(state_->server->port()); }

const std::string& FakeKakao::token() const { return state_->token; }

void FakeKakao::fail_next(int n) {
  std::lock_guard lock(state_->mutex);
  state_->failures_left = n;
}

std::vector<FakeKakao::Message> FakeKakao::messages() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages;
}

std::vector<std::string> FakeKakao::problems() const {
  std::lock_guard lock(state_->mutex);
  return state_->problems;
}

int FakeKakao::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace fd::test
