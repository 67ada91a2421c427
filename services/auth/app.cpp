#include "app.hpp"

#include <argon2.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <boost/json.hpp>

#include "domain/account.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"
#include "platform/messaging.hpp"
#include "platform/problem.hpp"

namespace auth {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS accounts (
  username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, store_id TEXT,
  display_name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS refresh_tokens_by_user ON refresh_tokens (username);
)";

// OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
constexpr std::uint32_t kTimeCost = 2, kMemoryKiB = 19 * 1024, kLanes = 1;

std::string hash_password(const std::string& password) {
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("no randomness for a password salt");
  char encoded[128];
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(), salt, sizeof salt,
                                 32, encoded, sizeof encoded);
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id failed: ") + argon2_error_message(rc));
  return encoded;
}

bool password_matches(const std::string& encoded, const std::string& password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

void seed_demo_accounts(Db& db) {
  if (db.query_one("SELECT 1 FROM accounts LIMIT 1")) return;
  db.transaction([](Db& tx) {
    for (const auto& [account, password] : demo_accounts())
      tx.exec("INSERT INTO accounts (username, password_hash, role, store_id, display_name, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?)",
              {account.username, hash_password(password), account.role,
               account.store_id.empty() ? platform::Value(nullptr) : platform::Value(account.store_id),
               account.display_name, platform::now_ms()});
  });
  platform::log::info("demo accounts seeded");
}

// Refresh tokens are random and stored only as their SHA-256, so a leaked database cannot
// be replayed.
std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for a token");
  return hex(bytes, sizeof bytes);
}

std::string sha256(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return hex(digest, sizeof digest);
}

struct Tokens {
  std::string secret;
  std::int64_t access_ttl;
  std::int64_t refresh_ttl;
};

std::optional<Account> find_account(Db& db, const std::string& username) {
  auto row = db.query_one("SELECT username, role, store_id, display_name FROM accounts WHERE username = ?", {username});
  if (!row) return std::nullopt;
  return Account{row->text(0), row->text(1), row->text(2), row->text(3)};
}

// A new access token and a new refresh token for the account, in the caller's transaction.
boost::json::object issue(Db& tx, const Tokens& tokens, const Account& account) {
  auto now = platform::now_s();
  auto access = platform::sign_jwt(claims_for(account, now, tokens.access_ttl, platform::new_id()), tokens.secret);
  auto refresh = random_token();
  tx.exec("INSERT INTO refresh_tokens (token_hash, username, expires_at) VALUES (?, ?, ?)",
          {sha256(refresh), account.username, now + tokens.refresh_ttl});
  boost::json::object body{{"accessToken", access},       {"tokenType", "Bearer"},
                           {"expiresIn", tokens.access_ttl}, {"refreshToken", refresh},
                           {"username", account.username}, {"role", account.role}};
  if (!account.store_id.empty()) body["storeId"] = std::stoll(account.store_id);
  return body;
}

Response login(Db& db, const Tokens& tokens, Request& request) {
  auto credentials = parse_login(request.json_object());
  auto row = db.query_one("SELECT password_hash FROM accounts WHERE username = ?", {credentials.username});
  // The same answer for an unknown user and a wrong password: accounts are not to be probed.
  if (!row || !password_matches(row->text(0), credentials.password))
    throw platform::unauthorized("username or password is wrong");
  boost::json::object body;
  db.transaction([&](Db& tx) { body = issue(tx, tokens, *find_account(tx, credentials.username)); });
  return platform::json_response(200, body);
}

Response sign_up(Db& db, const Tokens& tokens, Request& request) {
  auto form = parse_sign_up(request.json_object());
  auto hash = hash_password(form.credentials.password);  // slow on purpose: outside the transaction
  boost::json::object body;
  db.transaction([&](Db& tx) {
    if (find_account(tx, form.credentials.username))
      throw platform::conflict("username " + form.credentials.username + " is taken");
    tx.exec("INSERT INTO accounts (username, password_hash, role, store_id, display_name, created_at) "
            "VALUES (?, ?, 'customer', NULL, ?, ?)",
            {form.credentials.username, hash, form.display_name, platform::now_ms()});
    body = issue(tx, tokens, *find_account(tx, form.credentials.username));
  });
  platform::log::info("customer signed up", {{"username", form.credentials.username}});
  auto response = platform::json_response(201, body);
  response.headers.emplace_back("Location", "/auth/me");
  return response;
}

// Rotation: a refresh token works once and is replaced by a new one.
Response refresh(Db& db, const Tokens& tokens, Request& request) {
  auto presented = sha256(parse_refresh(request.json_object()));
  boost::json::object body;
  db.transaction([&](Db& tx) {
    auto row = tx.query_one("SELECT username, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = ?",
                            {presented});
    if (!row || !row->is_null(2) || row->integer(1) <= platform::now_s())
      throw platform::unauthorized("refresh token is unknown, used, revoked or expired; log in again");
    tx.exec("UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ?", {platform::now_s(), presented});
    auto account = find_account(tx, row->text(0));
    if (!account) throw platform::unauthorized("the account of this refresh token no longer exists");
    body = issue(tx, tokens, *account);
  });
  return platform::json_response(200, body);
}

// Logout revokes the presented access token everywhere (TokenRevoked reaches every
// service) and every refresh token of the account.
Response logout(Db& db, const platform::Identity& identity, Request& request) {
  auto claims = identity.caller(request);
  db.transaction([&](Db& tx) {
    tx.exec("UPDATE refresh_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
            {platform::now_s(), claims.subject});
    if (!claims.token_id.empty())
      platform::append_events(tx, {{"TokenRevoked",
                                    {{"tokenId", claims.token_id},
                                     {"expiresAt", claims.expires_at},
                                     {"username", claims.subject}}}});
  });
  return Response{204, "application/json", {}, {}};
}

Response me(const platform::Identity& identity, Request& request) {
  auto claims = identity.caller(request);
  boost::json::object body{{"username", claims.subject}, {"role", claims.role},
                           {"expiresAt", platform::iso_time(claims.expires_at * 1000)}};
  if (!claims.store_id.empty()) body["storeId"] = std::stoll(claims.store_id);
  return platform::json_response(200, body);
}

}  // namespace

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  db.script(kSchema);
  seed_demo_accounts(db);
  Tokens tokens{host.config().require("JWT_SECRET"), host.config().integer("TOKEN_TTL_SECONDS", 900),
                host.config().integer("REFRESH_TTL_SECONDS", 30 * 24 * 3600)};
  const auto& identity = host.identity();
  host.router().add("POST", "/auth/login", [&db, tokens](Request& r) { return login(db, tokens, r); });
  host.router().add("POST", "/auth/signup", [&db, tokens](Request& r) { return sign_up(db, tokens, r); });
  host.router().add("POST", "/auth/refresh", [&db, tokens](Request& r) { return refresh(db, tokens, r); });
  host.router().add("POST", "/auth/logout", [&db, &identity](Request& r) { return logout(db, identity, r); });
  host.router().add("GET", "/auth/me", [&identity](Request& r) { return me(identity, r); });
  return {};
}

}  // namespace auth
