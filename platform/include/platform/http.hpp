#pragma once
// Transport-neutral HTTP messages: handlers see these, never Beast types.
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform {

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
  // says what is wrong otherwise.
  boost::json::object json_object() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string header(std::string_view name) const;
};

Response json_response(int status, const boost::json::value& body);
Response problem_response(int status, std::string_view title, std::string_view detail);

}  // namespace platform
