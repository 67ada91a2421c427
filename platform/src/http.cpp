#include "platform/http.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "platform/json_text.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace platform {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string Request::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

const std::string& Request::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end()) throw std::logic_error("route has no path parameter " + name);
  return it->second;
}

namespace {
std::int64_t id_named(std::string_view where, const std::string& name, const std::string& text) {
  if (auto id = fields::positive_id(text)) return *id;
  throw bad_request(std::string(where) + " " + name + " must be a positive integer in decimal digits, without sign, "
                    "spaces or leading zeros; got '" + text + "'");
}
}  // namespace

std::int64_t Request::id_param(const std::string& name) const { return id_named("path parameter", name, param(name)); }

std::int64_t Request::id_query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) throw bad_request("query parameter " + name + " is required");
  return id_named("query parameter", name, it->second);
}

boost::json::object Request::json_object() const {
  if (body.empty()) throw bad_request("request body is empty; expected a JSON object");
  std::string why_not;
  auto value = parse_json(body, why_not, 16);
  if (!why_not.empty()) throw bad_request("request body " + why_not);
  if (!value.is_object()) throw bad_request("request body must be a JSON object");
  return std::move(value.as_object());
}

std::string Response::header(std::string_view name) const {
  auto wanted = lower(name);
  for (const auto& [key, value] : headers)
    if (lower(key) == wanted) return value;
  return {};
}

Response json_response(int status, const boost::json::value& body) {
  return Response{status, "application/json", to_json(body), {}};
}

Response problem_response(int status, std::string_view title, std::string_view detail) {
  boost::json::object body{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  return Response{status, "application/problem+json", to_json(body), {}};
}

}  // namespace platform
