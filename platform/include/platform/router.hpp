#pragma once
// Routes "METHOD /path/{param}" to handlers; 404 and 405 come out as problem+json. A path
// answers HEAD wherever it answers GET (the GET handler runs; the server sends no body) and
// OPTIONS with 204 and Allow, unless a route of its own says otherwise.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/http.hpp"

namespace platform {

using Handler = std::function<Response(Request&)>;

// Where a handler runs. Io, the default: on the server's I/O threads, for handlers that only
// read and write a little. Cpu: long CPU work (password hashing), run by the server's small
// bounded pool of workers, so that it never holds up the I/O threads and the requests that
// need none of it (/health among them); when the pool and its queue are full the request is
// refused at once with 503.
enum class Work { Io, Cpu };
// Runs around every routed handler (e.g. injected faults); it calls next to go on.
using Middleware = std::function<Response(Request&, const Handler& next)>;

struct RouteDurations;  // router.cpp: a route's histograms, kept out of this widely included header

class Router {
 public:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Work work;
    // Its handling times: looked up by labels once per status class, not once per request.
    std::shared_ptr<RouteDurations> durations;
  };

  void add(std::string method, std::string pattern, Handler handler, Work work = Work::Io);
  void around(Middleware middleware) { middleware_ = std::move(middleware); }
  // The request's route, with its path parameters bound into the request; Problem 404, or
  // 405 with Allow.
  const Route& match(Request& request) const;
  // The route's handler, inside the middleware; a Problem it throws is its answer.
  Response run(const Route& route, Request& request) const;
  Response dispatch(Request& request) const { return run(match(request), request); }
  bool has(Work work) const;
  // Every "METHOD pattern" known, for documentation checks.
  std::vector<std::string> routes() const;
  // What Allow says for a pattern: its methods in the order added, HEAD after GET, OPTIONS.
  std::string allowed(const std::string& pattern) const;

 private:
  std::vector<Route> routes_;
  // One OPTIONS answer per pattern, rebuilt by add(): its Allow is fixed once the routes are.
  std::vector<Route> options_;
  Middleware middleware_;
};

}  // namespace platform
