#pragma once
// Routes "METHOD /path/{param}" to handlers; 404 and 405 come out as problem+json.
#include <functional>
#include <string>
#include <vector>

#include "platform/http.hpp"

namespace platform {

using Handler = std::function<Response(Request&)>;
// Runs around every routed handler (e.g. injected faults); it calls next to go on.
using Middleware = std::function<Response(Request&, const Handler& next)>;

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  void around(Middleware middleware) { middleware_ = std::move(middleware); }
  Response dispatch(Request& request) const;
  // Every "METHOD pattern" known, for documentation checks.
  std::vector<std::string> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  Middleware middleware_;
};

}  // namespace platform
