// Operators onboard (role admin) over HTTP: a store's owner and riders get their accounts,
// and any account can be disabled and enabled again. Transport only.
#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/paging.hpp"
#include "platform/problem.hpp"

namespace auth {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

// Never its password's hash.
boost::json::object account_json(const Account& account) {
  auto self = "/auth/accounts/" + account.username;
  auto command = account.allowed_command();
  boost::json::object out{{"username", account.username},
                          {"role", account.role},
                          {"displayName", account.display_name},
                          {"createdAt", platform::iso_time(account.created_at)},
                          {"disabled", account.disabled()},
                          {"_links", platform::hal::links({{"self", self}, {"account", self}, {command, self + "/" + command}})}};
  if (!account.store_id.empty()) out["storeId"] = std::stoll(account.store_id);
  if (account.disabled_at) out["disabledAt"] = platform::iso_time(*account.disabled_at);
  return out;
}

constexpr platform::paging::SortField kAccountSorts[] = {
    {"username", "username"}, {"role", "role"}, {"createdAt", "created_at"}};

// Every account, newest first unless sorted otherwise; ?role= keeps one role's.
Response list_accounts(Db& db, const platform::Identity& identity, Request& request) {
  identity.require(request, "admin");
  auto page = platform::paging::parse(request.query, kAccountSorts);
  std::string where;
  std::vector<platform::Value> args;
  if (auto role = request.query.find("role"); role != request.query.end()) {
    if (!is_role(role->second))
      throw platform::bad_request("query parameter role must be customer, owner, rider or admin; got '" +
                                  role->second + "'");
    where = "WHERE role = ?";
    args.push_back(role->second);
  }
  auto slice = platform::paging::select_page(db, accounts(), where, args, page, "created_at DESC, username");
  boost::json::array items;
  for (const auto& account : slice.items) items.push_back(account_json(account));
  return platform::json_response(
      200, platform::hal::collection("accounts", std::move(items), request, page, slice.total_elements));
}

Response get_account(Db& db, const platform::Identity& identity, Request& request) {
  identity.require(request, "admin");
  return platform::json_response(200, account_json(accounts().get(db, request.param("username"))));
}

// A store's owner or a rider, by the rules of a sign-up; an owner only for a store the store
// service knows.
Response create_account(Db& db, const platform::Identity& identity, const StoreDirectory& stores, Request& request) {
  auto operator_claims = identity.require(request, "admin");
  auto onboarding = parse_onboarding(request.json_object());
  const auto& form = onboarding.form;
  if (auto weakness = password_weakness(form.credentials.password, form.credentials.username, form.display_name))
    throw platform::bad_request("password is too easy to guess (" + *weakness +
                                "): choose one that is not a common word, name or pattern");
  if (onboarding.role == "owner" && !stores(onboarding.store_id))
    throw platform::bad_request("storeId " + std::to_string(onboarding.store_id) + " is not a store (GET /stores)");
  auto account = onboarded(onboarding, hash_password(form.credentials.password), platform::now_ms());
  db.transaction([&](Db& tx) {
    if (accounts().find(tx, account.username)) throw platform::conflict("username " + account.username + " is taken");
    accounts().insert(tx, account);
  });
  platform::log::info("account onboarded",
                      {{"username", account.username}, {"role", account.role}, {"by", operator_claims.subject}});
  auto response = platform::json_response(201, account_json(account));
  response.headers.emplace_back("Location", "/auth/accounts/" + account.username);
  return response;
}

// Disabled, the account cannot log in or refresh, and every login it had ends: its refresh
// tokens here, and its access tokens in every service by TokenRevoked, as a logout
// everywhere. Enabled again, it logs in anew; what it held before stays revoked.
Response disable_account(Db& db, const Tokens& tokens, const platform::Identity& identity, Request& request) {
  auto operator_claims = identity.require(request, "admin");
  const auto& username = request.param("username");
  Account account;
  db.transaction([&](Db& tx) {
    account = accounts().get(tx, username);
    account.disable(platform::now_ms(), other_admins_enabled(tx, username));
    accounts().save(tx, account);
    auto now = platform::now_s();
    end_every_login(tx, tokens, username, now);
    revoke_sessionless_refresh_tokens(tx, username, now);
  });
  platform::log::info("account disabled", {{"username", username}, {"by", operator_claims.subject}});
  return platform::json_response(200, account_json(account));
}

Response enable_account(Db& db, const platform::Identity& identity, Request& request) {
  auto operator_claims = identity.require(request, "admin");
  const auto& username = request.param("username");
  Account account;
  db.transaction([&](Db& tx) {
    account = accounts().get(tx, username);
    account.enable();
    accounts().save(tx, account);
  });
  platform::log::info("account enabled", {{"username", username}, {"by", operator_claims.subject}});
  return platform::json_response(200, account_json(account));
}

}  // namespace

void add_account_routes(platform::ServiceHost& host, const Tokens& tokens, StoreDirectory stores) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("GET", "/auth/accounts", [&db, &identity](Request& r) { return list_accounts(db, identity, r); });
  // Hashes the password (Argon2id): off the I/O threads, as a sign-up.
  router.add(
      "POST", "/auth/accounts",
      [&db, &identity, stores = std::move(stores)](Request& r) { return create_account(db, identity, stores, r); },
      platform::Work::Cpu);
  router.add("GET", "/auth/accounts/{username}",
             [&db, &identity](Request& r) { return get_account(db, identity, r); });
  router.add("PUT", "/auth/accounts/{username}/disable",
             [&db, tokens, &identity](Request& r) { return disable_account(db, tokens, identity, r); });
  router.add("PUT", "/auth/accounts/{username}/enable",
             [&db, &identity](Request& r) { return enable_account(db, identity, r); });
}

}  // namespace auth
