#include "platform/router.hpp"

#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>

#include "platform/metrics.hpp"
#include "platform/problem.hpp"

namespace platform {

namespace {
std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end;
  }
  return parts;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, Work work) {
  auto segments = split(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler), work});
}

const Router::Route& Router::match(Request& request) const {
  auto parts = split(request.path);
  bool path_known = false;
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < parts.size() && match; ++i) {
      if (is_param(route.segments[i]))
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = parts[i];
      else
        match = route.segments[i] == parts[i];
    }
    if (!match) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.params = std::move(params);
    return route;
  }
  if (path_known) throw Problem(405, "Method Not Allowed", request.method + " is not allowed on " + request.path);
  throw not_found("no resource at " + request.path);
}

namespace {

// Handling time by route template, not by path: a label per order id would grow without end.
prometheus::Family<prometheus::Histogram>& request_durations() {
  static auto& family = prometheus::BuildHistogram()
                            .Name("fd_http_request_duration_seconds")
                            .Help("Time to handle a request, by method, route template and status class; its "
                                  "_count is the number of requests.")
                            .Register(metrics::registry());
  return family;
}

void observe(const Router::Route& route, int status, std::chrono::steady_clock::time_point started) {
  // Sub-millisecond answers are the rule here; the slow end is a call to another service.
  static const prometheus::Histogram::BucketBoundaries buckets{0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                               0.025,  0.05,   0.1,   0.25,   0.5,   1,    2.5};
  const std::string status_class = std::to_string(status / 100) + "xx";
  request_durations()
      .Add({{"method", route.method}, {"route", route.pattern}, {"status", status_class}}, buckets)
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace

Response Router::run(const Route& route, Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  try {
    auto response = middleware_ ? middleware_(request, route.handler) : route.handler(request);
    observe(route, response.status, started);
    return response;
  } catch (const Problem& problem) {
    observe(route, problem.status, started);
    throw;
  } catch (...) {
    observe(route, 500, started);
    throw;
  }
}

bool Router::has(Work work) const {
  for (const auto& route : routes_)
    if (route.work == work) return true;
  return false;
}

std::vector<std::string> Router::routes() const {
  std::vector<std::string> out;
  for (const auto& route : routes_) out.push_back(route.method + " " + route.pattern);
  return out;
}

}  // namespace platform
