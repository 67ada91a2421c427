#pragma once
// A login session: one login, and the refresh tokens rotated from it one after the other (a
// family). Its access tokens carry its id (sid), so that ending the session ends them all.
//
// The refresh token as the browser keeps it: an HttpOnly cookie scoped to /auth, so that
// page scripts never see it and only the auth endpoints receive it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auth {

inline constexpr std::string_view kRefreshCookie = "fd_refresh";

// A refresh token as it is stored, when a client presents it.
struct StoredRefreshToken {
  std::string username;
  std::string session_id;       // empty for a token issued before logins had ids
  std::int64_t expires_at = 0;  // epoch s
  bool used = false;            // rotated: a newer token of its session replaced it
  bool revoked = false;         // its session ended (logout, or one of its tokens used twice)
};

enum class RefreshVerdict {
  Rotate,  // valid: it is used up, and the session gets a new one
  Reuse,   // used once already, so one of its holders is not its owner: the session ends
  Refuse,  // unknown, expired or revoked
};
RefreshVerdict judge(const std::optional<StoredRefreshToken>& presented, std::int64_t now_s);

// The Set-Cookie value that keeps the refresh token for max_age seconds; Secure when the
// client reached the gateway over TLS.
std::string refresh_cookie(const std::string& token, std::int64_t max_age_seconds, bool secure);
// The Set-Cookie value that makes the browser forget it (logout, a refused refresh).
std::string cleared_refresh_cookie(bool secure);
// The fd_refresh value of a Cookie request header; nothing when it has none.
std::optional<std::string> refresh_token_in_cookies(std::string_view cookie_header);

}  // namespace auth
