// The auth service's HTTP handlers: transport only.
#include "app.hpp"
#include "contracts/events.hpp"
#include "domain/session.hpp"
#include "platform/clock.hpp"
#include "platform/crypto.hpp"
#include "platform/log.hpp"
#include "platform/unit_of_work.hpp"
#include "platform/problem.hpp"

namespace auth {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

// A disabled account neither logs in nor refreshes: its holder is told so, not that the
// password or token is wrong.
platform::Problem disabled_account(const Account& account) {
  return platform::forbidden("account " + account.username +
                             " is disabled: an operator disabled it, and it cannot log in until they enable it again");
}

// The client reached the gateway over TLS: the cookie must then never travel in clear.
bool over_tls(const Request& request) { return request.header("x-forwarded-proto") == "https"; }

// A new access token and a new refresh token for the account in its login session, in the
// caller's transaction. The refresh token goes in the body (API clients) and in the
// fd_refresh cookie (browsers, whose scripts then never hold it).
struct Issued {
  boost::json::object body;
  std::string refresh_token;
};

Issued issue(Db& tx, const Tokens& tokens, const Account& account, const std::string& session_id) {
  auto now = platform::now_s();
  auto access = platform::sign_jwt(claims_for(account, now, tokens.access_ttl, platform::new_id(), session_id),
                                   tokens.secret);
  auto refresh = random_token();
  keep_refresh_token(tx, platform::sha256_hex(refresh), account.username, session_id, now + tokens.refresh_ttl, now);
  boost::json::object body{{"accessToken", access},       {"tokenType", "Bearer"},
                           {"expiresIn", tokens.access_ttl}, {"refreshToken", refresh},
                           {"username", account.username}, {"role", account.role}};
  if (!account.store_id.empty()) body["storeId"] = std::stoll(account.store_id);
  return {std::move(body), std::move(refresh)};
}

Response issued_response(int status, const Issued& issued, const Tokens& tokens, const Request& request) {
  auto response = platform::json_response(status, issued.body);
  response.headers.emplace_back("Set-Cookie", refresh_cookie(issued.refresh_token, tokens.refresh_ttl, over_tls(request)));
  return response;
}

// Ends the login session: its refresh tokens stop working, and every service hears that its
// access tokens (and token_id, the one presented) do too, until the last of them expires.
void end_login(Db& tx, const Tokens& tokens, const std::string& username, const std::string& session_id,
               const std::optional<std::string>& token_id, std::int64_t token_expires_at, std::int64_t now) {
  auto ended = end_session(tx, session_id, now);
  if (!ended && !token_id) return;
  auto expires_at = std::max(token_expires_at, ended ? ended->last_issued_at + tokens.access_ttl : 0);
  platform::record(tx, platform::events(contracts::TokenRevoked{token_id, expires_at, username, session_id}));
}

Response login(Db& db, const Tokens& tokens, const LoginRules& rules, Request& request) {
  auto credentials = parse_login(request.json_object());
  auto locked_ms = lock_remaining_ms(failed_logins(db, credentials.username), platform::now_ms());
  if (locked_ms > 0) {
    // Refused unchecked, right password or not: guessing during the window gains nothing.
    auto wait = retry_after_seconds(locked_ms);
    throw platform::too_many_requests("too many failed logins for this username: it is locked for " +
                                          std::to_string(wait) +
                                          " more seconds; the lock ends by itself, and each failure after it locks "
                                          "twice as long",
                                      wait);
  }
  auto account = accounts().find(db, credentials.username);
  // An unknown username costs the same Argon2 work and gets the same answer as a wrong
  // password: accounts are not to be probed.
  if (!password_matches(account ? account->password_hash : rules.nobodys_hash, credentials.password) || !account) {
    auto now = platform::now_ms();
    db.transaction([&](Db& tx) {
      auto record = after_failure(failed_logins(tx, credentials.username), rules.backoff, now);
      keep_failed_logins(tx, credentials.username, record, now - rules.backoff.forget_after_ms);
    });
    throw platform::unauthorized("username or password is wrong");
  }
  const auto checked_hash = account->password_hash;
  // Slow on purpose (Argon2 again, once an account): outside the transaction.
  const auto fresh_hash =
      hashed_as_today(checked_hash) ? std::nullopt : std::optional(hash_password(credentials.password));
  Issued issued;
  db.transaction([&](Db& tx) {
    // Disabled or not is said only to whoever knows the password, and read in the transaction
    // that starts the login: an operator disabling the account meanwhile ends every login it
    // has, and this one must not start after that.
    account = accounts().find(tx, credentials.username);
    if (!account) throw platform::unauthorized("username or password is wrong");
    if (account->disabled()) throw disabled_account(*account);
    forget_failed_logins(tx, account->username);
    if (fresh_hash) replace_password_hash(tx, account->username, checked_hash, *fresh_hash);
    issued = issue(tx, tokens, *account, start_session(tx, account->username, platform::now_s()));
  });
  return issued_response(200, issued, tokens, request);
}

Response sign_up(Db& db, const Tokens& tokens, Request& request) {
  auto form = parse_sign_up(request.json_object());
  if (auto weakness = password_weakness(form.credentials.password, form.credentials.username, form.display_name))
    throw platform::bad_request("password is too easy to guess (" + *weakness +
                                "): choose one that is not a common word, name or pattern");
  auto account = signed_up(form, hash_password(form.credentials.password), platform::now_ms());
  Issued issued;
  db.transaction([&](Db& tx) {
    if (accounts().find(tx, account.username)) throw platform::conflict("username " + account.username + " is taken");
    accounts().insert(tx, account);
    issued = issue(tx, tokens, account, start_session(tx, account.username, platform::now_s()));
  });
  platform::log::info("customer signed up", {{"username", account.username}});
  auto response = issued_response(201, issued, tokens, request);
  response.headers.emplace_back("Location", "/auth/me");
  return response;
}

// The token in the body wins (API clients); a browser sends no body or {} and its cookie.
// A refused cookie is left alone: two tabs refreshing at once send the same one, and the
// loser's answer must not delete the cookie the winner's answer just set.
Response refresh(Db& db, const Tokens& tokens, Request& request) {
  auto given = request.body.empty() ? std::nullopt : parse_refresh(request.json_object());
  if (!given) given = refresh_token_in_cookies(request.header("cookie"));
  if (!given)
    throw platform::unauthorized(
        "no refresh token: send {\"refreshToken\"} or the fd_refresh cookie that login set; log in again");
  auto presented = platform::sha256_hex(*given);
  Issued issued;
  std::optional<StoredRefreshToken> reused;
  db.transaction([&](Db& tx) {
    auto now = platform::now_s();
    auto stored = find_refresh_token(tx, presented);
    auto holder = stored ? accounts().find(tx, stored->username) : std::nullopt;
    if (holder && holder->disabled()) throw disabled_account(*holder);
    switch (judge(stored, now)) {
      case RefreshVerdict::Refuse:
        throw platform::unauthorized("refresh token is unknown, revoked or expired; log in again");
      case RefreshVerdict::Reuse:
        // Committed before the refusal: the login ends whoever holds its newest token.
        reused = stored;
        end_login(tx, tokens, stored->username, stored->session_id, std::nullopt, 0, now);
        return;
      case RefreshVerdict::Rotate:
        break;
    }
    auto account = accounts().find(tx, stored->username);
    if (!account) throw platform::unauthorized("the account of this refresh token no longer exists");
    auto session_id = stored->session_id.empty() ? start_session(tx, account->username, now) : stored->session_id;
    use_refresh_token(tx, presented, session_id, now);
    issued = issue(tx, tokens, *account, session_id);
  });
  if (reused) {
    platform::log::warn("a spent refresh token was used again: its login is ended, every token of it revoked",
                        {{"username", reused->username}, {"session", reused->session_id}});
    throw platform::unauthorized(
        "refresh token was already used, so it may have been stolen: every token of its login is revoked; log in "
        "again");
  }
  return issued_response(200, issued, tokens, request);
}

// Logout ends the login of the presented token: its refresh tokens, and in every service
// (contracts::TokenRevoked) its access tokens; with ?everywhere=true every login of the
// account. The browser's cookie is dropped.
Response logout(Db& db, const Tokens& tokens, const platform::Identity& identity, Request& request) {
  auto claims = identity.caller(request);
  auto everywhere = request.query.contains("everywhere") ? request.query.at("everywhere") : "false";
  if (everywhere != "true" && everywhere != "false") throw platform::bad_request("everywhere must be true or false");
  db.transaction([&](Db& tx) {
    auto now = platform::now_s();
    std::optional<std::string> token_id;
    if (!claims.token_id.empty()) token_id = claims.token_id;
    if (claims.session_id.empty()) {
      // A token from before logins had ids: it alone, and the refresh tokens of that time.
      revoke_sessionless_refresh_tokens(tx, claims.subject, now);
      if (token_id)
        platform::record(tx, platform::events(
                                 contracts::TokenRevoked{token_id, claims.expires_at, claims.subject, std::nullopt}));
    } else {
      end_login(tx, tokens, claims.subject, claims.session_id, token_id, claims.expires_at, now);
    }
    if (everywhere == "true") end_every_login(tx, tokens, claims.subject, now);
  });
  return Response{204, "application/json", {}, {{"Set-Cookie", cleared_refresh_cookie(over_tls(request))}}};
}

Response me(const platform::Identity& identity, Request& request) {
  auto claims = identity.caller(request);
  boost::json::object body{{"username", claims.subject}, {"role", claims.role},
                           {"expiresAt", platform::iso_time(claims.expires_at * 1000)}};
  if (!claims.store_id.empty()) body["storeId"] = std::stoll(claims.store_id);
  return platform::json_response(200, body);
}

}  // namespace

void end_every_login(platform::Db& tx, const Tokens& tokens, const std::string& username, std::int64_t now_s) {
  for (const auto& session_id : open_sessions(tx, username))
    end_login(tx, tokens, username, session_id, std::nullopt, 0, now_s);
}

void add_routes(platform::ServiceHost& host, const Tokens& tokens, const LoginRules& rules) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  // Both hash a password (Argon2id, tens of milliseconds of a core): off the I/O threads.
  router.add("POST", "/auth/login", [&db, tokens, rules](Request& r) { return login(db, tokens, rules, r); }, platform::Work::Cpu);
  router.add("POST", "/auth/signup", [&db, tokens](Request& r) { return sign_up(db, tokens, r); },
             platform::Work::Cpu);
  router.add("POST", "/auth/refresh", [&db, tokens](Request& r) { return refresh(db, tokens, r); });
  router.add("POST", "/auth/logout", [&db, tokens, &identity](Request& r) { return logout(db, tokens, identity, r); });
  router.add("GET", "/auth/me", [&identity](Request& r) { return me(identity, r); });
}

}  // namespace auth
