#pragma once
// The refresh token as the browser keeps it: an HttpOnly cookie scoped to /auth, so that
// page scripts never see it and only the auth endpoints receive it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auth {

inline constexpr std::string_view kRefreshCookie = "fd_refresh";

// The Set-Cookie value that keeps the refresh token for max_age seconds; Secure when the
// client reached the gateway over TLS.
std::string refresh_cookie(const std::string& token, std::int64_t max_age_seconds, bool secure);
// The Set-Cookie value that makes the browser forget it (logout, a refused refresh).
std::string cleared_refresh_cookie(bool secure);
// The fd_refresh value of a Cookie request header; nothing when it has none.
std::optional<std::string> refresh_token_in_cookies(std::string_view cookie_header);

}  // namespace auth
