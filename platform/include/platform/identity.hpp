#pragma once
// Who calls: every protected handler starts here.
#include <string>
#include <string_view>

#include "platform/http.hpp"
#include "platform/jwt.hpp"

namespace platform {

class Identity {
 public:
  explicit Identity(std::string secret) : secret_(std::move(secret)) {}
  // The caller's verified claims; Problem 401 without a valid Bearer token.
  Claims caller(const Request& request) const;
  // As caller(), and Problem 403 unless the caller has the role.
  Claims require(const Request& request, std::string_view role) const;
  // A short-lived token with role "service" for calls to other services' internal endpoints,
  // which the gateway does not route and which answer only to this role.
  std::string service_token(std::string_view service) const;

 private:
  std::string secret_;
};

}  // namespace platform
