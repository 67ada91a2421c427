#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace auth {

const platform::Table<Account>& accounts() {
  static const platform::Table<Account> table{
      "accounts",
      "account",
      {platform::column("username", &Account::username),
       platform::column("password_hash", &Account::password_hash),
       platform::column("role", &Account::role),
       {"store_id", [](const Account& a) { return platform::text_or_null(a.store_id); }},
       platform::column("display_name", &Account::display_name),
       platform::column("created_at", &Account::created_at),
       {"disabled_at",
        [](const Account& a) { return a.disabled_at ? platform::Value(*a.disabled_at) : platform::Value(nullptr); }}},
      [](const platform::Row& row) {
        Account account{row.text("username"),     row.text("role"),          row.text("store_id"),
                        row.text("display_name"), row.text("password_hash"), row.integer("created_at")};
        if (!row.is_null("disabled_at")) account.disabled_at = row.integer("disabled_at");
        return account;
      }};
  return table;
}

bool other_admins_enabled(platform::Db& tx, const std::string& username) {
  return tx
      .query_one("SELECT 1 FROM accounts WHERE role = 'admin' AND disabled_at IS NULL AND username != ?", {username})
      .has_value();
}

// Each demo account that is missing, so that a platform whose data predates an account (the
// admin came later) gets it too.
void seed_demo_accounts(platform::Db& db) {
  std::vector<Account> missing;
  for (auto& [account, password] : demo_accounts()) {
    if (accounts().find(db, account.username)) continue;
    account.password_hash = hash_password(password);  // slow on purpose: outside the transaction
    account.created_at = platform::now_ms();
    missing.push_back(std::move(account));
  }
  if (missing.empty()) return;
  std::size_t seeded = 0;
  db.transaction([&](platform::Db& tx) {
    tx.lock("demo seed");  // replicas starting at once: the first seeds, the others find it done
    seeded = 0;
    for (const auto& account : missing)
      if (!accounts().find(tx, account.username)) {
        accounts().insert(tx, account);
        ++seeded;
      }
  });
  if (seeded > 0) platform::log::info("demo accounts seeded", {{"accounts", std::to_string(seeded)}});
}

void replace_password_hash(platform::Db& tx, const std::string& username, const std::string& checked,
                           const std::string& fresh) {
  tx.exec("UPDATE accounts SET password_hash = ? WHERE username = ? AND password_hash = ?", {fresh, username, checked});
}

std::string start_session(platform::Db& tx, const std::string& username, std::int64_t now_s) {
  auto id = platform::new_id();
  tx.exec("INSERT INTO sessions (session_id, username, started_at, last_issued_at) VALUES (?, ?, ?, ?)",
          {id, username, now_s, now_s});
  return id;
}

void keep_refresh_token(platform::Db& tx, const std::string& token_hash, const std::string& username,
                        const std::string& session_id, std::int64_t expires_at, std::int64_t now_s) {
  tx.exec("INSERT INTO refresh_tokens (token_hash, username, session_id, expires_at) VALUES (?, ?, ?, ?)",
          {token_hash, username, session_id, expires_at});
  tx.exec("UPDATE sessions SET last_issued_at = ? WHERE session_id = ?", {now_s, session_id});
}

std::optional<StoredRefreshToken> find_refresh_token(platform::Db& tx, const std::string& token_hash) {
  auto row = tx.query_one(
      "SELECT username, session_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?",
      {token_hash});
  if (!row) return std::nullopt;
  return StoredRefreshToken{row->text("username"), row->text("session_id"), row->integer("expires_at"),
                            !row->is_null("used_at"), !row->is_null("revoked_at")};
}

void use_refresh_token(platform::Db& tx, const std::string& token_hash, const std::string& session_id,
                       std::int64_t now_s) {
  tx.exec("UPDATE refresh_tokens SET used_at = ?, session_id = ? WHERE token_hash = ?", {now_s, session_id, token_hash});
}

std::optional<EndedSession> end_session(platform::Db& tx, const std::string& session_id, std::int64_t now_s) {
  auto row = tx.query_one("SELECT username, last_issued_at FROM sessions WHERE session_id = ? AND ended_at IS NULL",
                          {session_id});
  if (!row) return std::nullopt;
  tx.exec("UPDATE sessions SET ended_at = ? WHERE session_id = ?", {now_s, session_id});
  tx.exec("UPDATE refresh_tokens SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL", {now_s, session_id});
  return EndedSession{row->text("username"), row->integer("last_issued_at")};
}

std::vector<std::string> open_sessions(platform::Db& tx, const std::string& username) {
  std::vector<std::string> ids;
  for (const auto& row : tx.query("SELECT session_id FROM sessions WHERE username = ? AND ended_at IS NULL ORDER BY "
                                  "started_at",
                                  {username}))
    ids.push_back(row.text("session_id"));
  return ids;
}

void revoke_sessionless_refresh_tokens(platform::Db& tx, const std::string& username, std::int64_t now_s) {
  tx.exec("UPDATE refresh_tokens SET revoked_at = ? WHERE username = ? AND session_id IS NULL AND revoked_at IS NULL",
          {now_s, username});
}

}  // namespace auth

namespace auth {

FailedLogins failed_logins(platform::Db& db, const std::string& username) {
  auto row = db.query_one("SELECT failures, last_failure_at, locked_until FROM login_failures WHERE username = ?",
                          {username});
  if (!row) return {};
  return {static_cast<int>(row->integer("failures")), row->integer("last_failure_at"), row->integer("locked_until")};
}

void keep_failed_logins(platform::Db& tx, const std::string& username, const FailedLogins& record,
                        std::int64_t forget_before_ms) {
  tx.exec("DELETE FROM login_failures WHERE last_failure_at < ?", {forget_before_ms});
  tx.exec("INSERT INTO login_failures (username, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, "
          "last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
          {username, static_cast<std::int64_t>(record.failures), record.last_failure_at, record.locked_until});
}

void forget_failed_logins(platform::Db& tx, const std::string& username) {
  tx.exec("DELETE FROM login_failures WHERE username = ?", {username});
}

}  // namespace auth
