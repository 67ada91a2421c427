// NATS endpoints: who connects, how it is shown in logs, and how libnats is told.
#include "platform/nats_options.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "platform/bus_access.hpp"
#include "platform/config.hpp"

namespace platform {

namespace {

struct Parts {
  std::string scheme;    // "nats://", or "" when the URL has none
  std::string user;      // "" when the URL carries no userinfo
  std::string rest;      // host, port and anything after
};

// One server's URL: [scheme://][user[:password]@]host[:port]...
Parts split(const std::string& url) {
  Parts parts;
  std::string_view text(url);
  if (auto scheme = text.find("://"); scheme != std::string_view::npos) {
    parts.scheme = std::string(text.substr(0, scheme + 3));
    text.remove_prefix(scheme + 3);
  }
  auto authority_end = std::min(text.find('/'), text.size());
  auto at = text.substr(0, authority_end).rfind('@');
  if (at != std::string_view::npos) {
    auto userinfo = text.substr(0, at);
    parts.user = std::string(userinfo.substr(0, userinfo.find(':')));
    text.remove_prefix(at + 1);
  }
  parts.rest = std::string(text);
  return parts;
}

// The servers of a URL list "nats://a:4222,nats://b:4222" (blanks around commas allowed).
std::vector<std::string> servers_of(const std::string& urls) {
  std::vector<std::string> servers;
  for (auto& server : comma_separated(urls))
    if (!server.empty()) servers.push_back(std::move(server));
  return servers;
}

}  // namespace

NatsEndpoint NatsEndpoint::from(const Config& config) {
  return {config.get("NATS_URL", NatsEndpoint{}.url), config.get("NATS_USER", ""), config.get("NATS_PASSWORD", "")};
}

// The first server's user, as libnats logs in with the user of the server it connects to.
std::string NatsEndpoint::identity() const {
  if (!user.empty()) return user;
  auto servers = servers_of(url);
  return servers.empty() ? "" : split(servers.front()).user;
}

std::string NatsEndpoint::where() const {
  std::string out;
  for (const auto& server : servers_of(url)) {
    auto parts = split(server);
    auto who = user.empty() ? parts.user : user;
    out += (out.empty() ? "" : ",") + parts.scheme + (who.empty() ? "" : who + "@") + parts.rest;
  }
  return out;
}

natsStatus use_endpoint(natsOptions* options, const NatsEndpoint& endpoint) {
  auto servers = servers_of(endpoint.url);
  if (servers.empty()) throw std::invalid_argument("no NATS server URL given (FD_NATS_URL)");
  std::vector<const char*> list;
  for (const auto& server : servers) list.push_back(server.c_str());
  // In a random order (libnats' default), so that the clients spread over the nodes.
  natsStatus s = natsOptions_SetServers(options, list.data(), static_cast<int>(list.size()));
  if (s == NATS_OK && !endpoint.user.empty())
    s = natsOptions_SetUserInfo(options, endpoint.user.c_str(), endpoint.password.c_str());
  if (auto identity = endpoint.identity(); s == NATS_OK && !identity.empty())
    s = natsOptions_SetCustomInboxPrefix(options, inbox_prefix(identity).c_str());
  return s;
}

std::string nats_error(natsStatus status) {
  natsStatus last = NATS_OK;
  const char* raw = nats_GetLastError(&last);
  std::string out = natsStatus_GetText(status);
  std::string detail = raw ? raw : "";
  if (detail.starts_with("(")) {
    if (auto end = detail.find("): "); end != std::string::npos) detail.erase(0, end + 3);
  }
  if (!detail.empty() && detail != out) out += ": " + detail;
  return out;
}

std::string connect_error(natsStatus status, const NatsEndpoint& endpoint) {
  if (status != NATS_CONNECTION_AUTH_FAILED) return "cannot reach NATS at " + endpoint.where() + ": " + nats_error(status);
  auto identity = endpoint.identity();
  if (identity.empty())
    return "NATS at " + endpoint.where() + " refuses anonymous connections (" + nats_error(status) +
           "): give an identity in FD_NATS_USER and FD_NATS_PASSWORD (scripts/platform run viewer -- <command>)";
  return "NATS at " + endpoint.where() + " refused the identity '" + identity + "' (" + nats_error(status) +
         "): check its password (FD_NATS_PASSWORD; scripts/platform keeps them in <data>/nats.secrets)";
}

}  // namespace platform
