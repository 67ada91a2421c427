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

namespace {
// username, password and displayName, by the rules every new account follows.
SignUp new_account_fields(const boost::json::object& body) {
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
}  // namespace

SignUp parse_sign_up(const boost::json::object& body) {
  fields::only(body, {"username", "password", "displayName"});
  return new_account_fields(body);
}

Account signed_up(const SignUp& form, std::string password_hash, std::int64_t now_ms) {
  return {form.credentials.username, "customer", "", form.display_name, std::move(password_hash), now_ms};
}

Onboarding parse_onboarding(const boost::json::object& body) {
  fields::only(body, {"role", "username", "password", "displayName", "storeId"});
  auto role = fields::text(body, "role", 16, 1, " (owner or rider)");
  if (role != "owner" && role != "rider")
    throw platform::bad_request("role must be owner or rider, not '" + role +
                                "': customers sign up themselves (POST /auth/signup)");
  Onboarding onboarding{new_account_fields(body), role, 0};
  if (role == "rider") {
    if (body.contains("storeId")) throw platform::bad_request("storeId is for owners only: a rider runs no store");
    return onboarding;
  }
  if (!body.contains("storeId")) throw platform::bad_request("storeId is required: the store this owner runs");
  onboarding.store_id = fields::integer(body, "storeId");
  if (onboarding.store_id < 1) throw platform::bad_request("storeId must be a positive store id");
  return onboarding;
}

Account onboarded(const Onboarding& onboarding, std::string password_hash, std::int64_t now_ms) {
  const auto& form = onboarding.form;
  return {form.credentials.username,
          onboarding.role,
          onboarding.role == "owner" ? std::to_string(onboarding.store_id) : std::string(),
          form.display_name,
          std::move(password_hash),
          now_ms};
}

bool is_role(std::string_view role) {
  return role == "customer" || role == "owner" || role == "rider" || role == "admin";
}

void Account::disable(std::int64_t now_ms, bool other_admins_enabled) {
  if (disabled()) throw platform::conflict("account " + username + " is already disabled");
  if (role == "admin" && !other_admins_enabled)
    throw platform::conflict("account " + username +
                             " is the last enabled admin account: disabled, nobody could enable accounts again");
  disabled_at = now_ms;
}

void Account::enable() {
  if (!disabled()) throw platform::conflict("account " + username + " is not disabled");
  disabled_at.reset();
}

std::string Account::allowed_command() const { return disabled() ? "enable" : "disable"; }

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
