#include "domain/account.hpp"

#include "platform/problem.hpp"

namespace auth {

namespace {
std::string text_field(const boost::json::object& body, const char* name, std::size_t max) {
  auto* value = body.if_contains(name);
  if (!value || !value->is_string()) throw platform::bad_request(std::string(name) + " must be a string");
  std::string text(value->get_string());
  if (text.empty() || text.size() > max)
    throw platform::bad_request(std::string(name) + " must be 1 to " + std::to_string(max) + " bytes long");
  return text;
}
}  // namespace

Credentials parse_login(const boost::json::object& body) {
  for (const auto& field : body)
    if (field.key() != "username" && field.key() != "password")
      throw platform::bad_request("unknown field '" + std::string(field.key()) + "'");
  return {text_field(body, "username", 64), text_field(body, "password", 256)};
}

platform::Claims claims_for(const Account& account, std::int64_t now_seconds, std::int64_t ttl_seconds,
                           std::string token_id) {
  return {account.username, account.role, account.role == "owner" ? account.store_id : std::string(), now_seconds,
          now_seconds + ttl_seconds, std::move(token_id)};
}

SignUp parse_sign_up(const boost::json::object& body) {
  for (const auto& field : body)
    if (field.key() != "username" && field.key() != "password" && field.key() != "displayName")
      throw platform::bad_request("unknown field '" + std::string(field.key()) + "'");
  SignUp sign_up{{text_field(body, "username", 32), text_field(body, "password", 128)}, {}};
  const auto& username = sign_up.credentials.username;
  if (username.size() < 3 || username.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    throw platform::bad_request("username must be 3 to 32 characters of a-z, 0-9 and _");
  if (sign_up.credentials.password.size() < 8) throw platform::bad_request("password must be at least 8 bytes long");
  sign_up.display_name = body.contains("displayName") ? text_field(body, "displayName", 64) : username;
  return sign_up;
}

Account signed_up(const SignUp& form, std::string password_hash, std::int64_t now_ms) {
  return {form.credentials.username, "customer", "", form.display_name, std::move(password_hash), now_ms};
}

std::string parse_refresh(const boost::json::object& body) {
  for (const auto& field : body)
    if (field.key() != "refreshToken") throw platform::bad_request("unknown field '" + std::string(field.key()) + "'");
  return text_field(body, "refreshToken", 128);
}

std::vector<DemoAccount> demo_accounts() {
  const std::string password = "demo1234";
  return {{{"customer1", "customer", "", "김고객"}, password}, {{"customer2", "customer", "", "이고객"}, password},
          {{"owner1", "owner", "1", "박사장"}, password},      {{"owner2", "owner", "2", "최사장"}, password},
          {{"rider1", "rider", "", "정라이더"}, password},     {{"rider2", "rider", "", "강라이더"}, password}};
}

}  // namespace auth
