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
// Throws Problem 401 with the reason when the token is malformed, forged, of another
// algorithm or expired.
Claims verify_jwt(const std::string& token, const std::string& secret, std::int64_t now_seconds);

}  // namespace platform
