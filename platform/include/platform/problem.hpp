#pragma once
// An RFC 9457 problem: thrown anywhere below a handler, rendered as problem+json.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace platform {

struct Problem : std::runtime_error {
  int status;
  std::string title;
  std::string detail;
  std::vector<std::pair<std::string, std::string>> headers;

  Problem(int status, std::string title, std::string detail)
      : std::runtime_error(detail), status(status), title(std::move(title)), detail(std::move(detail)) {}
};

inline Problem bad_request(std::string detail) { return {400, "Bad Request", std::move(detail)}; }
// Every 401 names the scheme that would be let in (RFC 9110 15.5.2): a Bearer token. Without
// an error code, as RFC 6750 says for a request that brought no token (or another scheme).
inline Problem unauthorized(std::string detail) {
  Problem p{401, "Unauthorized", std::move(detail)};
  p.headers.emplace_back("WWW-Authenticate", "Bearer");
  return p;
}
// A Bearer token was given and refused (malformed, forged, expired, revoked): RFC 6750's
// invalid_token, which tells a client to get a new token rather than retry this one.
inline Problem invalid_token(std::string detail) {
  Problem p{401, "Unauthorized", std::move(detail)};
  p.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return p;
}
inline Problem forbidden(std::string detail) { return {403, "Forbidden", std::move(detail)}; }
inline Problem not_found(std::string detail) { return {404, "Not Found", std::move(detail)}; }
inline Problem conflict(std::string detail) { return {409, "Conflict", std::move(detail)}; }
inline Problem too_many_requests(std::string detail, long long retry_after_seconds) {
  Problem p{429, "Too Many Requests", std::move(detail)};
  p.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return p;
}
inline Problem unavailable(std::string detail) {
  Problem p{503, "Service Unavailable", std::move(detail)};
  p.headers.emplace_back("Retry-After", "1");
  return p;
}

}  // namespace platform
