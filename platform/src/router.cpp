#include "platform/router.hpp"

#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <optional>

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

// The route's path parameters when its pattern matches these segments.
std::optional<std::map<std::string, std::string>> parameters_of(const Router::Route& route,
                                                                const std::vector<std::string>& parts) {
  if (route.segments.size() != parts.size()) return std::nullopt;
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (is_param(route.segments[i]))
      params[route.segments[i].substr(1, route.segments[i].size() - 2)] = parts[i];
    else if (route.segments[i] != parts[i])
      return std::nullopt;
  }
  return params;
}
}  // namespace

struct RouteDurations {
  // By the status's first digit; filled on first use (two threads may both look one up: the
  // family gives both the same histogram).
  std::array<std::atomic<prometheus::Histogram*>, 10> by_class{};
};

void Router::add(std::string method, std::string pattern, Handler handler, Work work) {
  auto segments = split(pattern);
  routes_.push_back(
      {std::move(method), pattern, segments, std::move(handler), work, std::make_shared<RouteDurations>()});
  auto options = std::find_if(options_.begin(), options_.end(), [&](const Route& r) { return r.pattern == pattern; });
  if (options == options_.end())
    options = options_.insert(options_.end(), Route{"OPTIONS", pattern, std::move(segments), {}, Work::Io,
                                                    std::make_shared<RouteDurations>()});
  options->handler = [allow = allowed(pattern)](Request&) {
    return Response{204, "application/json", "", {{"Allow", allow}}};
  };
}

std::string Router::allowed(const std::string& pattern) const {
  std::vector<std::string> methods;
  auto note = [&](const std::string& method) {
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) methods.push_back(method);
  };
  for (const auto& route : routes_) {
    if (route.pattern != pattern) continue;
    note(route.method);
    if (route.method == "GET") note("HEAD");
  }
  note("OPTIONS");
  std::string allow;
  for (const auto& method : methods) allow += (allow.empty() ? "" : ", ") + method;
  return allow;
}

const Router::Route& Router::match(Request& request) const {
  auto parts = split(request.path);
  const Route* known = nullptr;  // the first route of this path, whatever its method
  const Route* get = nullptr;    // the GET that answers a HEAD without a route of its own
  std::map<std::string, std::string> get_params;
  for (const auto& route : routes_) {
    auto params = parameters_of(route, parts);
    if (!params) continue;
    if (!known) known = &route;
    if (route.method == request.method) {
      request.params = std::move(*params);
      return route;
    }
    if (request.method == "HEAD" && route.method == "GET" && !get) {
      get = &route;
      get_params = std::move(*params);
    }
  }
  if (get) {
    request.params = std::move(get_params);
    return *get;
  }
  if (!known) throw not_found("no resource at " + request.path);
  if (request.method == "OPTIONS")
    for (const auto& options : options_)
      if (options.pattern == known->pattern) return options;
  Problem problem(405, "Method Not Allowed",
                  request.method + " is not allowed on " + request.path + "; allowed: " + allowed(known->pattern));
  problem.headers.emplace_back("Allow", allowed(known->pattern));
  throw problem;
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

prometheus::Histogram& durations_of(const Router::Route& route, int status) {
  // Sub-millisecond answers are the rule here; the slow end is a call to another service.
  static const prometheus::Histogram::BucketBoundaries buckets{0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                               0.025,  0.05,   0.1,   0.25,   0.5,   1,    2.5};
  auto find = [&]() -> prometheus::Histogram& {
    const std::string status_class = std::to_string(status / 100) + "xx";
    return request_durations().Add({{"method", route.method}, {"route", route.pattern}, {"status", status_class}},
                                   buckets);
  };
  const auto digit = static_cast<std::size_t>(status / 100);
  if (status < 0 || digit >= route.durations->by_class.size()) return find();
  auto& slot = route.durations->by_class[digit];
  auto* histogram = slot.load(std::memory_order_acquire);
  if (!histogram) {
    histogram = &find();
    slot.store(histogram, std::memory_order_release);
  }
  return *histogram;
}

void observe(const Router::Route& route, int status, std::chrono::steady_clock::time_point started) {
  durations_of(route, status).Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace

Response Router::run(const Route& route, Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  try {
    auto response = middleware_ ? middleware_(request, route.handler) : route.handler(request);
    observe(route, response.status, started);
    return response;
  } catch (const Problem& problem) {
    // Answered here rather than thrown on: a second unwinding costs as much as the first, and
    // a 404 is what a client polling for an order gets until it is there.
    observe(route, problem.status, started);
    return problem_response(problem);
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
