// The auth service's HTTP handlers: transport only.
#include "app.hpp"
#include "contracts/events.hpp"
#include "domain/session.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"
#include "platform/unit_of_work.hpp"
#include "platform/problem.hpp"

namespace auth {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

// The client reached the gateway over TLS: the cookie must then never travel in clear.
bool over_tls(const Request& request) { return request.header("x-forwarded-proto") == "https"; }

// A new access token and a new refresh token for the account, in the caller's transaction.
// The refresh token goes in the body (API clients) and in the fd_refresh cookie (browsers,
// whose scripts then never hold it).
struct Issued {
  boost::json::object body;
  std::string refresh_token;
};

Issued issue(Db& tx, const Tokens& tokens, const Account& account) {
  auto now = platform::now_s();
  auto access = platform::sign_jwt(claims_for(account, now, tokens.access_ttl, platform::new_id()), tokens.secret);
  auto refresh = random_token();
  keep_refresh_token(tx, sha256(refresh), account.username, now + tokens.refresh_ttl);
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

Response login(Db& db, const Tokens& tokens, const LoginRules& rules, Request& request) {
  auto credentials = parse_login(request.json_object());
  auto locked_ms = lock_remaining_ms(failed_logins(db, credentials.username), platform::now_ms());
  if (locked_ms > 0) {
    // Refused unchecked, right password or not: guessing during the window gains nothing.
    auto wait = retry_after_seconds(locked_ms);
    platform::Problem locked(429, "Too Many Requests",
                             "too many failed logins for this username: it is locked for " + std::to_string(wait) +
                                 " more seconds; the lock ends by itself, and each failure after it locks twice as long");
    locked.headers.emplace_back("Retry-After", std::to_string(wait));
    throw locked;
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
  Issued issued;
  db.transaction([&](Db& tx) {
    forget_failed_logins(tx, account->username);
    issued = issue(tx, tokens, *account);
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
    issued = issue(tx, tokens, account);
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
  auto presented = sha256(*given);
  Issued issued;
  db.transaction([&](Db& tx) {
    auto username = use_refresh_token(tx, presented, platform::now_s());
    if (!username) throw platform::unauthorized("refresh token is unknown, used, revoked or expired; log in again");
    auto account = accounts().find(tx, *username);
    if (!account) throw platform::unauthorized("the account of this refresh token no longer exists");
    issued = issue(tx, tokens, *account);
  });
  return issued_response(200, issued, tokens, request);
}

// Logout revokes the presented access token everywhere (contracts::TokenRevoked reaches
// every service) and every refresh token of the account, and drops the browser's cookie.
Response logout(Db& db, const platform::Identity& identity, Request& request) {
  auto claims = identity.caller(request);
  db.transaction([&](Db& tx) {
    revoke_refresh_tokens(tx, claims.subject, platform::now_s());
    if (claims.token_id.empty()) return;
    contracts::TokenRevoked revoked{claims.token_id, claims.expires_at, claims.subject};
    platform::record(tx, platform::events(revoked));
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

void add_routes(platform::ServiceHost& host, const Tokens& tokens, const LoginRules& rules) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  // Both hash a password (Argon2id, tens of milliseconds of a core): off the I/O threads.
  router.add("POST", "/auth/login", [&db, tokens, rules](Request& r) { return login(db, tokens, rules, r); }, platform::Work::Cpu);
  router.add("POST", "/auth/signup", [&db, tokens](Request& r) { return sign_up(db, tokens, r); },
             platform::Work::Cpu);
  router.add("POST", "/auth/refresh", [&db, tokens](Request& r) { return refresh(db, tokens, r); });
  router.add("POST", "/auth/logout", [&db, &identity](Request& r) { return logout(db, identity, r); });
  router.add("GET", "/auth/me", [&identity](Request& r) { return me(identity, r); });
}

}  // namespace auth
