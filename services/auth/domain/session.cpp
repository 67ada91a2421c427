#include "domain/session.hpp"

namespace auth {

namespace {

std::string cookie(const std::string& value, std::int64_t max_age_seconds, bool secure) {
  // SameSite=Strict: another site's page cannot make the browser send it (no CSRF on refresh).
  return std::string(kRefreshCookie) + "=" + value + "; Path=/auth; Max-Age=" + std::to_string(max_age_seconds) +
         "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string_view trimmed(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

RefreshVerdict judge(const std::optional<StoredRefreshToken>& presented, std::int64_t now_s) {
  if (!presented || presented->revoked) return RefreshVerdict::Refuse;
  // A used token is reuse even after it expired: whoever holds it had it from the session.
  if (presented->used) return RefreshVerdict::Reuse;
  if (presented->expires_at <= now_s) return RefreshVerdict::Refuse;
  return RefreshVerdict::Rotate;
}

std::string refresh_cookie(const std::string& token, std::int64_t max_age_seconds, bool secure) {
  return cookie(token, max_age_seconds, secure);
}

std::string cleared_refresh_cookie(bool secure) { return cookie("", 0, secure); }

std::optional<std::string> refresh_token_in_cookies(std::string_view cookie_header) {
  // "a=1; fd_refresh=...; b=2" (RFC 6265 §5.4); the first one is the one of the most specific path.
  while (!cookie_header.empty()) {
    auto end = cookie_header.find(';');
    auto pair = trimmed(cookie_header.substr(0, end));
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && trimmed(pair.substr(0, equals)) == kRefreshCookie) {
      auto value = trimmed(pair.substr(equals + 1));
      if (value.empty()) return std::nullopt;
      return std::string(value);
    }
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace auth
