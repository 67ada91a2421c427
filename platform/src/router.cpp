#include "platform/router.hpp"

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

Response Router::run(const Route& route, Request& request) const {
  return middleware_ ? middleware_(request, route.handler) : route.handler(request);
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
