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

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "type/subtype" of a Content-Type or of a media range of Accept, lower-cased, without its
// parameters.
std::string media_type(std::string_view text) { return lower(trimmed(text.substr(0, text.find(';')))); }

// Whether one media range of an Accept header refuses its type outright (q=0).
bool refused(std::string_view range) {
  for (auto semicolon = range.find(';'); semicolon != std::string_view::npos; semicolon = range.find(';')) {
    range.remove_prefix(semicolon + 1);
    auto parameter = lower(trimmed(range.substr(0, range.find(';'))));
    if (parameter.rfind("q=", 0) == 0) return parameter.find_first_not_of("q=0.") == std::string::npos;
  }
  return false;
}

bool accepts(std::string_view accept, std::string_view type) {
  while (!accept.empty()) {
    auto comma = accept.find(',');
    auto range = accept.substr(0, comma);
    if (media_type(range) == type && !refused(range)) return true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
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
  auto type = header("content-type");
  if (!body.empty() && !type.empty() && !is_json_type(type))
    throw Problem(415, "Unsupported Media Type",
                  "request body is " + media_type(type) + "; this resource reads application/json (curl: -H "
                  "'Content-Type: application/json')");
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

bool is_json_type(std::string_view content_type) {
  auto type = media_type(content_type);
  return type == "application/json" || (type.rfind("application/", 0) == 0 && type.ends_with("+json"));
}

void negotiate(const Request& request, Response& response) {
  // A look at the text for every answer; the parse only when HAL is asked for. (A _links key
  // in a string is written \"_links\", so the look finds keys only.)
  if (response.content_type != "application/json" || response.body.find("\"_links\"") == std::string::npos) return;
  response.headers.emplace_back("Vary", "Accept");
  if (!accepts(request.header("accept"), "application/hal+json")) return;
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  if (!ec && body.is_object() && body.as_object().contains("_links")) response.content_type = "application/hal+json";
}

Response problem_response(int status, std::string_view title, std::string_view detail) {
  boost::json::object body{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  return Response{status, "application/problem+json", to_json(body), {}};
}

Response problem_response(const Problem& problem) {
  auto response = problem_response(problem.status, problem.title, problem.detail);
  response.headers.insert(response.headers.end(), problem.headers.begin(), problem.headers.end());
  return response;
}

}  // namespace platform
