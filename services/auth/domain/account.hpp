#pragma once
// Accounts and what a login proves about them. No I/O here: hashing is the adapter's.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/jwt.hpp"

namespace auth {

struct Account {
  std::string username;
  std::string role;      // customer | owner | rider | admin
  std::string store_id;  // the store an owner runs
  std::string display_name;
  std::string password_hash;  // Argon2id, encoded with its salt: the password itself is never kept
  std::int64_t created_at = 0;  // epoch ms
  std::optional<std::int64_t> disabled_at;  // epoch ms: an operator disabled it; none while enabled

  bool disabled() const { return disabled_at.has_value(); }
  // An operator's commands (role admin). Problem 409 when it is disabled already, or when it
  // is the last enabled admin account (other_admins_enabled false): nobody could enable
  // accounts again. Ending its logins is the adapter's.
  void disable(std::int64_t now_ms, bool other_admins_enabled);
  // Problem 409 when it is not disabled.
  void enable();
  // What an operator may do with it next: "disable" or "enable".
  std::string allowed_command() const;
};

struct Credentials {
  std::string username;
  std::string password;
};

// Throws platform::Problem 400 naming what is missing or malformed.
Credentials parse_login(const boost::json::object& body);

// A customer's own sign-up: username 3–32 of [a-z0-9_], a password of at least 10
// characters and at most 128 bytes, an optional displayName up to 64 bytes. Problem 400
// naming what is wrong. (Whether the password is easy to guess is the adapter's question:
// it needs a dictionary.)
inline constexpr std::size_t kMinPasswordCharacters = 10;
struct SignUp {
  Credentials credentials;
  std::string display_name;
};
SignUp parse_sign_up(const boost::json::object& body);
// The customer account a sign-up makes, with the hash the adapter made of its password.
Account signed_up(const SignUp& form, std::string password_hash, std::int64_t now_ms);

// An account an operator (role admin) makes: a store's owner or a rider, with the same
// rules as a sign-up for username, password and displayName, and its role; an owner names
// its store (storeId, a positive integer; whether that store exists is the adapter's
// question), a rider names none. Customers sign up themselves and admins are not made here.
// Problem 400 naming what is wrong.
struct Onboarding {
  SignUp form;
  std::string role;      // owner | rider
  std::int64_t store_id = 0;  // owners only
};
Onboarding parse_onboarding(const boost::json::object& body);
Account onboarded(const Onboarding& onboarding, std::string password_hash, std::int64_t now_ms);
// The roles an account has: what GET /auth/accounts?role= may ask for.
bool is_role(std::string_view role);

// {"refreshToken": "..."}, or {} when the token comes in the fd_refresh cookie (nothing
// then); Problem 400 otherwise.
std::optional<std::string> parse_refresh(const boost::json::object& body);

// The claims a token carries for this account, valid for ttl seconds from now, issued in the
// login session_id.
platform::Claims claims_for(const Account& account, std::int64_t now_seconds, std::int64_t ttl_seconds,
                           std::string token_id = {}, std::string session_id = {});

struct DemoAccount {
  Account account;
  std::string password;
};
// customer1, customer2, owner1 (store 1), owner2 (store 2), rider1, rider2, admin; password demo1234.
std::vector<DemoAccount> demo_accounts();

}  // namespace auth
