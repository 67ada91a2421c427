#include "platform/http.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "platform/json_text.hpp"
#include "platform/problem.hpp"

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

std::int64_t Request::id_param(const std::string& name) const {
  const auto& text = param(name);
  if (!text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos) {
    auto id = std::stoll(text);
    if (id > 0) return id;
  }
  throw not_found("no resource with " + name + " '" + text + "'");
}

boost::json::object Request::json_object() const {
  if (body.empty()) throw bad_request("request body is empty; expected a JSON object");
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;
  auto value = boost::json::parse(body, ec, {}, options);
  if (ec) throw bad_request("request body is not valid JSON: " + ec.message());
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
