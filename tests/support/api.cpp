#include "support/api.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <thread>

namespace fd::test {

Api::Api(int gateway_port) : client_("127.0.0.1", static_cast<std::uint16_t>(gateway_port), std::chrono::seconds(10)) {}

void Api::login(const std::string& username, const std::string& password) {
  token_.clear();
  auto reply = post("/auth/login", {{"username", username}, {"password", password}});
  if (reply.status != 200) throw std::runtime_error("login as " + username + " failed: " + reply.raw);
  token_ = std::string(reply.body.at("accessToken").as_string());
}

std::string Reply::detail() const {
  const auto* object = body.if_object();
  const auto* found = object ? object->if_contains("detail") : nullptr;
  return found && found->is_string() ? std::string(found->get_string()) : std::string();
}

std::string Reply::header(std::string_view name) const {
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  for (const auto& [key, value] : headers)
    if (std::ranges::equal(key, name, same)) return value;
  return {};
}

Reply Api::call(const std::string& method, const std::string& target, const std::string& body,
                const platform::Headers& extra) {
  platform::Headers headers = extra;
  if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
  auto response = client_.send(method, target, body, headers);
  Reply reply{response.status, response.content_type, response.header("Location"),
              nullptr,         response.body,         response.headers};
  boost::system::error_code ec;
  auto parsed = boost::json::parse(response.body, ec);
  if (!ec) reply.body = std::move(parsed);
  return reply;
}

boost::json::object order_request(std::int64_t store_id, std::int64_t menu_id, std::int64_t qty) {
  return {{"storeId", store_id},
          {"items", {{{"menuId", menu_id}, {"qty", qty}}}},
          {"address", "서울 강남구 테헤란로 152"},
          {"lat", 37.5006},
          {"lon", 127.0364}};
}

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return predicate();
}

}  // namespace fd::test
