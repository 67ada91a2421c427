#include "domain/account.hpp"

#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace auth {

namespace fields = platform::fields;

namespace {
// Code points of UTF-8 text (the body's JSON parser has checked that it is UTF-8).
std::size_t characters(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}
}  // namespace

Credentials parse_login(const boost::json::object& body) {
  fields::only(body, {"username", "password"});
  return {fields::text(body, "username", 64), fields::text(body, "password", 256)};
}

platform::Claims claims_for(const Account& account, std::int64_t now_seconds, std::int64_t ttl_seconds,
                           std::string token_id, std::string session_id) {
  return {account.username, account.role,           account.role == "owner" ? account.store_id : std::string(),
          now_seconds,      now_seconds + ttl_seconds, std::move(token_id),
          std::move(session_id)};
}

SignUp parse_sign_up(const boost::json::object& body) {
  fields::only(body, {"username", "password", "displayName"});
  SignUp sign_up{{fields::text(body, "username", 32), fields::text(body, "password", 128)}, {}};
  const auto& username = sign_up.credentials.username;
  if (username.size() < 3 || username.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    throw platform::bad_request("username must be 3 to 32 characters of a-z, 0-9 and _");
  if (characters(sign_up.credentials.password) < kMinPasswordCharacters)
    throw platform::bad_request("password must be at least " + std::to_string(kMinPasswordCharacters) +
                                " characters long");
  sign_up.display_name = body.contains("displayName") ? fields::text(body, "displayName", 64) : username;
  return sign_up;
}

Account signed_up(const SignUp& form, std::string password_hash, std::int64_t now_ms) {
  return {form.credentials.username, "customer", "", form.display_name, std::move(password_hash), now_ms};
}

std::optional<std::string> parse_refresh(const boost::json::object& body) {
  fields::only(body, {"refreshToken"});
  if (!body.contains("refreshToken")) return std::nullopt;
  return fields::text(body, "refreshToken", 128);
}

std::vector<DemoAccount> demo_accounts() {
  const std::string password = "demo1234";
  return {{{"customer1", "customer", "", "김고객"}, password}, {{"customer2", "customer", "", "이고객"}, password},
          {{"owner1", "owner", "1", "박사장"}, password},      {{"owner2", "owner", "2", "최사장"}, password},
          {{"rider1", "rider", "", "정라이더"}, password},     {{"rider2", "rider", "", "강라이더"}, password},
          {{"admin", "admin", "", "운영자"}, password}};
}

}  // namespace auth
