// Bytes as a client sends them on a connection to a service. Each request is read as the
// server reads it (platform::parse_request: Beast's request_parser with the body and header
// limits, then to_request's split of the target with percent-decoding), one after another as
// on a keep-alive connection, and dispatched through a Router like a service's, with a token
// check, path parameters, the query and JSON bodies.
//
// Findings (abort): any exception but platform::Problem; a Problem outside 4xx; a request
// read differently when the same bytes come in small pieces; an id accepted in a spelling
// other than its own ("01", "+1"); a problem+json body that is not JSON; and whatever
// ASan/UBSan/libFuzzer catch.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "platform/http.hpp"
#include "platform/http_parse.hpp"
#include "platform/identity.hpp"
#include "platform/problem.hpp"
#include "platform/router.hpp"

namespace {

constexpr std::size_t kBodyLimit = 1024;  // small, so that 413 is reached too
constexpr std::size_t kPiece = 7;         // a second reading gets the bytes 7 at a time
constexpr int kMaxRequests = 8;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "FINDING: %s\n", what.c_str());
  std::abort();
}

// An id is accepted only as it is written: one resource, one name.
std::int64_t canonical(const std::string& text, std::int64_t id) {
  if (std::to_string(id) != text) finding("id " + std::to_string(id) + " accepted as '" + text + "'");
  return id;
}

const platform::Identity& identity() {
  static const platform::Identity id("fuzz-secret", 900);
  return id;
}

platform::Router make_router() {
  using platform::Request;
  using platform::Response;
  platform::Router router;
  router.add("GET", "/health", [](Request&) { return platform::json_response(200, {{"status", "UP"}}); });
  router.add("GET", "/stores", [](Request& request) {
    boost::json::object out{{"path", request.path}};
    for (const auto& [name, value] : request.query) out[name] = value;
    return platform::json_response(200, out);
  });
  router.add("GET", "/stores/{storeId}", [](Request& request) {
    return platform::json_response(200, {{"storeId", canonical(request.param("storeId"), request.id_param("storeId"))}});
  });
  router.add("GET", "/reviews", [](Request& request) {
    auto id = request.id_query("storeId");  // 400 when there is none
    return platform::json_response(200, {{"storeId", canonical(request.query.at("storeId"), id)}});
  });
  router.add("POST", "/orders", [](Request& request) {
    auto claims = identity().require(request, "customer");
    auto body = request.json_object();
    body["customerId"] = claims.subject;
    return platform::json_response(201, body);
  });
  router.add("GET", "/orders/{orderId}", [](Request& request) {
    identity().caller(request);
    return platform::json_response(200, {{"orderId", canonical(request.param("orderId"), request.id_param("orderId"))}});
  });
  router.add("PUT", "/riders/me/location", [](Request& request) {
    identity().require(request, "rider");
    return platform::json_response(200, request.json_object());
  });
  router.add("POST", "/auth/login", [](Request& request) {
    return platform::json_response(200, {{"username", request.json_object()["username"]}});
  });
  return router;
}

const platform::Router& router() {
  static const platform::Router r = make_router();
  return r;
}

// What the server sends back for a request, as its handle() does; the server answers 500 to
// any other exception, which here is a finding.
platform::Response answer(platform::Request& request) {
  try {
    return router().dispatch(request);
  } catch (const platform::Problem& problem) {
    if (problem.status < 400 || problem.status > 499)
      finding("handler threw Problem " + std::to_string(problem.status) + ": " + problem.detail);
    return platform::problem_response(problem.status, problem.title, problem.detail);
  } catch (const std::exception& error) {
    finding(std::string("handler threw a non-Problem exception: ") + error.what());
  }
}

struct Read {
  bool ok = false;
  platform::Request request;
  std::size_t used = 0;
  int status = 0;
  std::string title, detail;
};

Read read(std::string_view raw, std::size_t piece) {
  Read out;
  try {
    out.request = platform::parse_request(raw, kBodyLimit, &out.used, piece);
    out.ok = true;
  } catch (const platform::Problem& problem) {
    out.status = problem.status;
    out.title = problem.title;
    out.detail = problem.detail;
  } catch (const std::exception& error) {
    finding(std::string("parse_request threw a non-Problem exception: ") + error.what());
  }
  return out;
}

// The bytes a socket delivers at once or in pieces must make the same request, or the same
// kind of refusal. Only the detail of a 400 may differ: Beast reports some malformed headers
// (a bare LF where CRLF belongs) as "bad field" or "bad value" when it has them all at once,
// and as "partial message" when they came in pieces.
void same(const Read& a, const Read& b) {
  if (a.ok != b.ok || a.status != b.status)
    finding("read at once: " + (a.ok ? std::string("ok") : a.detail) + "; in pieces: " +
            (b.ok ? std::string("ok") : b.detail));
  if (!a.ok) return;
  const auto &x = a.request, &y = b.request;
  if (a.used != b.used || x.method != y.method || x.target != y.target || x.path != y.path || x.body != y.body ||
      x.headers != y.headers || x.query != y.query)
    finding("the same request read at once and in pieces differs (target '" + x.target + "')");
}

// A problem+json body must be a JSON object, whatever bytes the request quoted.
void check_problem_body(const platform::Response& response) {
  if (response.content_type != "application/problem+json") return;
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body, ec);
  if (!ec && value.is_object()) return;
  finding("problem+json body is not a JSON object: " + response.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequests && !raw.empty(); ++i) {
    auto whole = read(raw, raw.size());
    same(whole, read(raw, kPiece));
    if (!whole.ok) {
      // The server answers this problem and closes the connection.
      check_problem_body(platform::problem_response(whole.status, whole.title, whole.detail));
      break;
    }
    if (whole.used == 0 || whole.used > raw.size()) finding("parse_request used " + std::to_string(whole.used));
    auto& request = whole.request;
    if (request.target.empty() || request.method.empty()) finding("a request without method or target");
    check_problem_body(answer(request));
    raw.remove_prefix(whole.used);
  }
  return 0;
}
