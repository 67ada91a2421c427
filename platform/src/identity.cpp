#include "platform/identity.hpp"

#include "platform/clock.hpp"
#include "platform/problem.hpp"

namespace platform {

Claims Identity::caller(const Request& request) const {
  auto authorization = request.header("authorization");
  if (authorization.empty()) throw unauthorized("missing Authorization header; log in at POST /auth/login");
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size() || authorization.compare(0, scheme.size(), scheme) != 0)
    throw unauthorized("Authorization header must be 'Bearer <token>'");
  Claims claims;
  try {
    claims = verify_jwt(authorization.substr(scheme.size()), secret_, now_s(), access_lifetime_seconds_);
  } catch (const Problem& refused) {
    throw invalid_token(refused.detail);
  }
  if (is_revoked_ && is_revoked_(claims))
    throw invalid_token("token has been revoked (logged out); log in again");
  return claims;
}

Claims Identity::require(const Request& request, std::string_view role) const {
  auto claims = caller(request);
  if (claims.role != role)
    throw forbidden("this action needs the " + std::string(role) + " role; you are " + claims.role);
  return claims;
}

std::string Identity::service_token(std::string_view service) const {
  auto now = now_s();
  return sign_jwt({std::string(service), "service", "", now, now + kServiceTokenSeconds, new_id()}, secret_);
}

}  // namespace platform
