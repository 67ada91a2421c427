#pragma once
// What the HTTP server makes of the bytes it reads, without a socket: the target split into
// path and query (percent-decoded), header names lower-cased, the body. http_server.cpp runs
// this very code on every request it reads; fuzz/fuzz_http_request runs it on anything.
// No Beast types here: to_request takes Beast's parsed message by its interface.
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "platform/http.hpp"

namespace platform {

// The most header bytes (request line and fields) the server reads for one request.
inline constexpr std::size_t kHeaderLimit = 16 * 1024;

// %XX decoded, and '+' as a space where `plus_is_space` (a query, as forms write it; in a
// path '+' is itself: /orders/+1 is not /orders/%201); a '%' not followed by two hex digits
// is kept as it is.
std::string percent_decode(std::string_view text, bool plus_is_space);

// Sets request.target, and request.path and request.query from it, percent-decoded. In the
// query a name without '=' gets an empty value, empty pairs are skipped, a repeated name
// keeps its last value.
void set_target(Request& request, std::string_view target);

// Adds a header field; the name is lower-cased, a repeated name keeps its last value.
void add_header(Request& request, std::string_view name, std::string_view value);

// A parsed Beast request (http::request<http::string_body>) as the handlers see it; the
// body is moved out of it.
template <class Message>
Request to_request(Message&& in) {
  Request request;
  request.method = std::string(in.method_string());
  set_target(request, std::string_view(in.target().data(), in.target().size()));
  for (const auto& field : in) {
    auto name = field.name_string();
    auto value = field.value();
    add_header(request, std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size()));
  }
  request.body = std::move(in.body());
  return request;
}

// One request read from a connection that sent the bytes raw and then closed, as the server
// reads it: Beast's request_parser with this body_limit and kHeaderLimit, fed by Beast's read
// loop in pieces of at most read_size bytes (as a socket may deliver them), then to_request.
// used, when given, is set to the bytes the request took (what follows is the connection's
// next request). Throws Problem 413 for a body over body_limit and Problem 400 for a malformed
// or incomplete request (nothing at all: "end of stream"), with the detail the server answers.
Request parse_request(std::string_view raw, std::size_t body_limit, std::size_t* used = nullptr,
                      std::size_t read_size = std::numeric_limits<std::size_t>::max());

}  // namespace platform
