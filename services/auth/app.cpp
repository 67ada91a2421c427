#include "app.hpp"

namespace auth {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  host.migrate(schema());
  seed_demo_accounts(host.db());
  check_password_dictionary();
  const auto& config = host.config();
  BackoffPolicy backoff;
  backoff.free_failures = static_cast<int>(config.integer("LOGIN_BACKOFF_AFTER", backoff.free_failures));
  backoff.first_lock_ms = config.integer("LOGIN_BACKOFF_FIRST_MS", backoff.first_lock_ms);
  backoff.max_lock_ms = config.integer("LOGIN_BACKOFF_MAX_MS", backoff.max_lock_ms);
  backoff.forget_after_ms = config.integer("LOGIN_BACKOFF_FORGET_SECONDS", backoff.forget_after_ms / 1000) * 1000;
  check(backoff);
  Tokens tokens{config.require("JWT_SECRET"), config.integer("TOKEN_TTL_SECONDS", 900),
                config.integer("REFRESH_TTL_SECONDS", 30 * 24 * 3600)};
  add_routes(host, tokens, {backoff, unmatchable_hash()});
  add_account_routes(host, tokens, store_directory(host));
  return {};
}

}  // namespace auth
