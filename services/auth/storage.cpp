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
       platform::column("created_at", &Account::created_at)},
      [](const platform::Row& row) {
        return Account{row.text("username"),     row.text("role"),          row.text("store_id"),
                       row.text("display_name"), row.text("password_hash"), row.integer("created_at")};
      }};
  return table;
}

void seed_demo_accounts(platform::Db& db) {
  if (!accounts().select(db, "LIMIT 1").empty()) return;
  std::vector<Account> seeded;
  for (auto& [account, password] : demo_accounts()) {
    account.password_hash = hash_password(password);  // slow on purpose: outside the transaction
    account.created_at = platform::now_ms();
    seeded.push_back(std::move(account));
  }
  bool seeds = false;
  db.transaction([&](platform::Db& tx) {
    tx.lock("demo seed");  // replicas starting at once: the first seeds, the others find it done
    seeds = accounts().select(tx, "LIMIT 1").empty();
    if (seeds)
      for (const auto& account : seeded) accounts().insert(tx, account);
  });
  if (seeds) platform::log::info("demo accounts seeded");
}

void keep_refresh_token(platform::Db& tx, const std::string& token_hash, const std::string& username,
                        std::int64_t expires_at) {
  tx.exec("INSERT INTO refresh_tokens (token_hash, username, expires_at) VALUES (?, ?, ?)",
          {token_hash, username, expires_at});
}

std::optional<std::string> use_refresh_token(platform::Db& tx, const std::string& token_hash, std::int64_t now_s) {
  auto row = tx.query_one("SELECT username, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = ?",
                          {token_hash});
  if (!row || !row->is_null("revoked_at") || row->integer("expires_at") <= now_s) return std::nullopt;
  tx.exec("UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ?", {now_s, token_hash});
  return row->text("username");
}

void revoke_refresh_tokens(platform::Db& tx, const std::string& username, std::int64_t now_s) {
  tx.exec("UPDATE refresh_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL", {now_s, username});
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
