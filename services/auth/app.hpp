#pragma once
// The auth service's adapters: storage (storage.cpp), Argon2id hashes and random tokens
// (crypto.cpp), login over HTTP (http.cpp), wired by install (app.cpp).
#include <optional>

#include "domain/account.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"

namespace auth {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
const platform::Table<Account>& accounts();
// The demo accounts, into a database that has no account yet.
void seed_demo_accounts(platform::Db& db);

// Refresh tokens are stored only as their SHA-256 (token_hash), so a leaked database cannot
// be replayed.
void keep_refresh_token(platform::Db& tx, const std::string& token_hash, const std::string& username,
                        std::int64_t expires_at);
// Rotation: a refresh token works once. The username it was issued to, and the token is
// used up; nothing when it is unknown, used, revoked or expired.
std::optional<std::string> use_refresh_token(platform::Db& tx, const std::string& token_hash, std::int64_t now_s);
void revoke_refresh_tokens(platform::Db& tx, const std::string& username, std::int64_t now_s);

std::string hash_password(const std::string& password);
bool password_matches(const std::string& encoded, const std::string& password);
std::string random_token();
std::string sha256(const std::string& text);

struct Tokens {
  std::string secret;
  std::int64_t access_ttl;
  std::int64_t refresh_ttl;
};
void add_routes(platform::ServiceHost& host, const Tokens& tokens);

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace auth
