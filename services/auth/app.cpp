#include "app.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <boost/json.hpp>

#include "domain/account.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"
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

Response login(Db& db, const std::string& secret, std::int64_t ttl, Request& request) {
  auto credentials = parse_login(request.json_object());
  auto row = db.query_one("SELECT username, password_hash, role, store_id, display_name FROM accounts WHERE username = ?",
                          {credentials.username});
  // The same answer for an unknown user and a wrong password: accounts are not to be probed.
  if (!row || !password_matches(row->text(1), credentials.password))
    throw platform::unauthorized("username or password is wrong");
  Account account{row->text(0), row->text(2), row->text(3), row->text(4)};
  auto token = platform::sign_jwt(claims_for(account, platform::now_s(), ttl), secret);
  boost::json::object body{{"accessToken", token}, {"tokenType", "Bearer"}, {"expiresIn", ttl},
                           {"username", account.username}, {"role", account.role}};
  if (!account.store_id.empty()) body["storeId"] = std::stoll(account.store_id);
  return platform::json_response(200, body);
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
  auto secret = host.config().require("JWT_SECRET");
  auto ttl = host.config().integer("TOKEN_TTL_SECONDS", 3600);
  const auto& identity = host.identity();
  host.router().add("POST", "/auth/login", [&db, secret, ttl](Request& r) { return login(db, secret, ttl, r); });
  host.router().add("GET", "/auth/me", [&identity](Request& r) { return me(identity, r); });
  return {};
}

}  // namespace auth
