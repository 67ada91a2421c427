#include "client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <thread>

namespace fd::cli {

boost::json::value Reply::json() const {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  return ec ? boost::json::value() : parsed;
}

Client::Client(Origin origin, std::chrono::milliseconds timeout)
    : origin_(std::move(origin)), http_(origin_.host, origin_.port, timeout) {}

Reply Client::call(const std::string& method, const std::string& target, const std::string& token,
                   const std::string& body, platform::Headers headers) {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  try {
    auto response = http_.send(method, target, body, headers);
    return {response.status, std::move(response.body)};
  } catch (const std::exception& error) {
    return {0, error.what()};
  }
}

OrderAttempts::OrderAttempts() {
  std::random_device random;
  char hex[33];
  std::snprintf(hex, sizeof hex, "%08x%08x%08x%08x", random(), random(), random(), random());
  key_ = hex;
}

bool OrderAttempts::again(int status) {
  ++made_;
  bool unknown = status == 0 || status == 502 || status == 503 || status == 504 || status == 409;
  if (!unknown || made_ >= kMaxAttempts) return false;
  std::this_thread::sleep_for(backoff_);
  backoff_ = std::min<std::chrono::milliseconds>(2 * backoff_, std::chrono::seconds(1));
  return true;
}

std::string login(Client& client, const std::string& user, std::chrono::seconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  auto credentials = R"({"username":")" + user + R"(","password":"demo1234"})";
  for (;;) {
    auto reply = client.call("POST", "/auth/login", {}, credentials);
    if (reply.status == 200)
      if (auto token = text_of(reply.json(), "accessToken"); !token.empty()) return token;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("cannot log in as " + user + " through the gateway at " + client.origin().text() +
                               " (HTTP " + std::to_string(reply.status) + "): " + reply.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string text_of(const boost::json::value& body, std::string_view field) {
  if (!body.is_object()) return {};
  auto* value = body.as_object().if_contains(field);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  return boost::json::serialize(*value);
}

std::int64_t int_of(const boost::json::value& body, std::string_view field) {
  if (!body.is_object()) return 0;
  auto* value = body.as_object().if_contains(field);
  if (!value) return 0;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return 0;
}

}  // namespace fd::cli
