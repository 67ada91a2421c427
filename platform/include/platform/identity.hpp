#pragma once
// Who calls: every protected handler starts here.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "platform/http.hpp"
#include "platform/jwt.hpp"

namespace platform {

class Identity {
 public:
  // access_lifetime_seconds: how long auth's access tokens live (FD_TOKEN_TTL_SECONDS), the
  // furthest ahead a user's token may expire (verify_jwt).
  Identity(std::string secret, std::int64_t access_lifetime_seconds)
      : secret_(std::move(secret)), access_lifetime_seconds_(access_lifetime_seconds) {}
  // The caller's verified claims; Problem 401 without a valid Bearer token.
  Claims caller(const Request& request) const;
  // As caller(), and Problem 403 unless the caller has the role.
  Claims require(const Request& request, std::string_view role) const;
  // A short-lived token (kServiceTokenSeconds) with role "service" and an id, for calls to
  // other services' internal endpoints, which the gateway does not route and which answer
  // only to this role.
  std::string service_token(std::string_view service) const;

  // Asked for every token that carries an id or a login: true when it was revoked (its
  // logout, or the end of its login).
  void revocations(std::function<bool(const Claims&)> is_revoked) { is_revoked_ = std::move(is_revoked); }

 private:
  std::string secret_;
  std::int64_t access_lifetime_seconds_;
  std::function<bool(const Claims&)> is_revoked_;
};

}  // namespace platform
