#include "platform/http_parse.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/system_error.hpp>
#include <cctype>

#include "platform/problem.hpp"

namespace platform {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A connection that sent these bytes, at most read_size at a time, and then closed.
struct BytesStream {
  std::string_view rest;
  std::size_t read_size;

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    if (rest.empty()) {
      ec = asio::error::eof;
      return 0;
    }
    ec = {};
    auto n = asio::buffer_copy(buffers, asio::buffer(rest.data(), std::min(rest.size(), read_size)));
    rest.remove_prefix(n);
    return n;
  }

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    auto n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
};

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (text[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

void set_target(Request& request, std::string_view target) {
  request.target = std::string(target);
  auto question = target.find('?');
  request.path = percent_decode(target.substr(0, question), false);
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      request.query[percent_decode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

void add_header(Request& request, std::string_view name, std::string_view value) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  request.headers[std::move(lower)] = std::string(value);
}

Request parse_request(std::string_view raw, std::size_t body_limit, std::size_t* used, std::size_t read_size) {
  BytesStream stream{raw, std::max<std::size_t>(read_size, 1)};
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  parser.header_limit(kHeaderLimit);
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (used) *used = raw.size() - stream.rest.size() - buffer.size();
  if (ec == http::error::body_limit)
    throw Problem(413, "Payload Too Large", "request body exceeds " + std::to_string(body_limit) + " bytes");
  if (ec) throw bad_request("malformed HTTP request: " + ec.message());
  return to_request(parser.release());
}

}  // namespace platform
