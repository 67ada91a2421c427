#pragma once
// HS256 JSON Web Tokens: issued by auth, verified by every service.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace platform {

struct Claims {
  std::string subject;  // username
  std::string role;     // customer | owner | rider
  std::string store_id;  // owners only
  std::int64_t issued_at = 0;  // epoch seconds
  std::int64_t expires_at = 0;
  std::string token_id;  // jti: names the token when it is revoked
  std::string session_id;  // sid: the login it was issued in; revoking the login revokes it
};

std::string sign_jwt(const Claims& claims, const std::string& secret);

// A token's pieces, for whoever must build unusual tokens (tests, the fuzzer).
std::string base64url(std::string_view data);
// base64url(HMAC-SHA256(secret, signing_input)): the signature of "header.payload".
std::string hs256_signature(std::string_view signing_input, std::string_view secret);
// How long a service's token for one internal call lives (Identity::service_token).
inline constexpr std::int64_t kServiceTokenSeconds = 60;
// How far the clocks of the issuer and a verifier may disagree.
inline constexpr std::int64_t kClockLeewaySeconds = 30;

// Throws Problem 401 with the reason when the token is malformed (not canonical base64url,
// not JSON, a key twice), forged, of another algorithm, expired, lacks `jti` or `exp`, or
// expires further ahead than any token issued here would: a user's token more than
// `access_lifetime_seconds` (auth's FD_TOKEN_TTL_SECONDS), a service's more than
// kServiceTokenSeconds, each plus kClockLeewaySeconds. `iat`, when there, must not be in the
// future, nor further before `exp` than that lifetime.
Claims verify_jwt(const std::string& token, const std::string& secret, std::int64_t now_seconds,
                  std::int64_t access_lifetime_seconds);

}  // namespace platform
