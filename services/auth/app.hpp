#pragma once
// The auth service's adapters: storage (storage.cpp), Argon2id hashes and random tokens
// (crypto.cpp), login over HTTP (http.cpp), operators' accounts over HTTP (accounts_http.cpp),
// wired by install (app.cpp).
#include <functional>
#include <optional>

#include "domain/account.hpp"
#include "domain/login_backoff.hpp"
#include "domain/session.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"

namespace auth {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
const platform::Table<Account>& accounts();
// Whether an admin account other than this one is enabled.
bool other_admins_enabled(platform::Db& tx, const std::string& username);
// Whether a store exists, as the store service answers GET /stores/{storeId}: asked when an
// operator names a store for its owner, which is rare and wants the answer now (following the
// store's events instead would wake auth for every event on the bus). Problem 503 when the
// store service cannot say (down, slow, or its breaker open).
using StoreDirectory = std::function<bool(std::int64_t store_id)>;
StoreDirectory store_directory(platform::ServiceHost& host);
// The demo accounts, into a database that has no account yet.
void seed_demo_accounts(platform::Db& db);

// Login sessions and their refresh tokens (domain/session.hpp). Refresh tokens are stored
// only as their SHA-256 (token_hash), so a leaked database cannot be replayed.
std::string start_session(platform::Db& tx, const std::string& username, std::int64_t now_s);
// A new access token and this refresh token were issued in the session now.
void keep_refresh_token(platform::Db& tx, const std::string& token_hash, const std::string& username,
                        const std::string& session_id, std::int64_t expires_at, std::int64_t now_s);
std::optional<StoredRefreshToken> find_refresh_token(platform::Db& tx, const std::string& token_hash);
// Rotation uses the token up; a token from before sessions joins the session it continues in.
void use_refresh_token(platform::Db& tx, const std::string& token_hash, const std::string& session_id,
                       std::int64_t now_s);
struct EndedSession {
  std::string username;
  std::int64_t last_issued_at = 0;  // epoch s: its last access token expires a lifetime later
};
// Ends the session and revokes its refresh tokens; nothing when it had already ended.
std::optional<EndedSession> end_session(platform::Db& tx, const std::string& session_id, std::int64_t now_s);
// The account's sessions that have not ended.
std::vector<std::string> open_sessions(platform::Db& tx, const std::string& username);
// A logout with a token from before sessions ends the refresh tokens from before sessions.
void revoke_sessionless_refresh_tokens(platform::Db& tx, const std::string& username, std::int64_t now_s);

// A username's failed logins (none when it has no row), kept in the table replicas share.
FailedLogins failed_logins(platform::Db& db, const std::string& username);
// Keeps the username's record, and drops the records last failed before forget_before_ms.
void keep_failed_logins(platform::Db& tx, const std::string& username, const FailedLogins& record,
                        std::int64_t forget_before_ms);
void forget_failed_logins(platform::Db& tx, const std::string& username);

std::string hash_password(const std::string& password);
// An Argon2id hash with hash_password's parameters whose digest is random bytes, not a
// password's: checking a password against it costs the same work as against an account's
// hash, and fails. Made without that work, which cost every start of auth tens of
// milliseconds of a core and 7 MiB.
std::string unmatchable_hash();
bool password_matches(const std::string& encoded, const std::string& password);
// Whether the hash was made with hash_password's algorithm and parameters of today: one made
// before they changed is made again at its account's next login, when the password is known.
// Until then a wrong password for that account costs the earlier parameters' time, not the
// unknown usernames' (unmatchable_hash): a timing that tells such an account exists, for as
// long as it has not logged in since.
bool hashed_as_today(const std::string& encoded);
// The account's hash becomes `fresh` if it is still the `checked` one: a password an operator
// set meanwhile is not overwritten.
void replace_password_hash(platform::Db& tx, const std::string& username, const std::string& checked,
                           const std::string& fresh);
// Why cracklib finds the password easy to guess (a dictionary word, too simple, close to
// the username or display name); nothing when it does not. Thread-safe.
std::optional<std::string> password_weakness(const std::string& password, const std::string& username,
                                             const std::string& display_name);
// Throws, naming the path and the package, when cracklib's dictionary is not installed.
void check_password_dictionary();
std::string random_token();

struct Tokens {
  std::string secret;
  std::int64_t access_ttl;
  std::int64_t refresh_ttl;
};
struct LoginRules {
  BackoffPolicy backoff;
  // An unknown username is checked against this hash (unmatchable_hash), so that it costs
  // the same work as a known one with a wrong password.
  std::string nobodys_hash;
};
void add_routes(platform::ServiceHost& host, const Tokens& tokens, const LoginRules& rules);
// An operator's (role admin): onboarding accounts, and disabling and enabling them.
void add_account_routes(platform::ServiceHost& host, const Tokens& tokens, StoreDirectory stores);
// Ends every login of the account that has not ended (logout everywhere, a disabled
// account): its refresh tokens, and by TokenRevoked its access tokens in every service.
void end_every_login(platform::Db& tx, const Tokens& tokens, const std::string& username, std::int64_t now_s);

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace auth
