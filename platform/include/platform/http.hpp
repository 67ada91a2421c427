#pragma once
// Transport-neutral HTTP messages: handlers see these, never Beast types.
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform {

struct Problem;

class EventSource;  // event_stream.hpp

struct Request {
  std::string method;
  std::string target;  // as received: path and query
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;  // path parameters bound by the router

  std::string header(std::string_view name) const;
  const std::string& param(const std::string& name) const;
  // A path parameter that names a resource by id (fields::positive_id: "17", not "017",
  // "+17" or " 17"); Problem 400 naming the parameter otherwise.
  std::int64_t id_param(const std::string& name) const;
  // The same for a query parameter, which must be there.
  std::int64_t id_query(const std::string& name) const;
  // The body parsed as a JSON object (platform::parse_json: no key twice); a Problem 400
  // says what is wrong otherwise, and a Problem 415 when its Content-Type is another than
  // JSON (a form, text/plain). A body without a Content-Type is read as JSON: JSON is the
  // only thing a route here reads, and the parse is as strict either way.
  boost::json::object json_object() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a stream of server-sent events (event_stream.hpp): the server then writes the
  // headers and the source's events as they come instead of a body.
  std::shared_ptr<EventSource> events;

  std::string header(std::string_view name) const;
};

Response json_response(int status, const boost::json::value& body);

// Whether a Content-Type names JSON: application/json or a structured suffix
// (application/problem+json), whatever its parameters (charset=utf-8).
bool is_json_type(std::string_view content_type);

// The answer as the request asked for it: a HAL resource (a JSON object with _links) is
// application/hal+json when the Accept header asks for that type, and application/json
// otherwise; a JSON answer with _links says that its type depends on Accept (Vary). Any
// other answer, a problem among them, keeps its type.
void negotiate(const Request& request, Response& response);
Response problem_response(int status, std::string_view title, std::string_view detail);
// A thrown problem as the client's answer, its headers (Allow, Retry-After, ...) included.
Response problem_response(const Problem& problem);

}  // namespace platform
