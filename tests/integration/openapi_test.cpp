// docs/openapi.json held to the code: every public route the six services serve (as they
// list them on GET /internal/routes) is documented with the same method and path template,
// every documented operation is served, under the tag of the service that serves it, and
// the gateway routes every documented path to that service. GET /health is documented too,
// under the tag gateway: the gateway answers its own, each service its own on its port.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/http_client.hpp"
#include "platform/jwt.hpp"
#include "support/platform_fixture.hpp"

namespace {

using fd::test::TestPlatform;

const std::vector<std::string> kServices{"auth", "order", "payment", "store", "customer", "rider"};
const std::vector<std::string> kMethods{"get", "put", "post", "delete", "patch", "head", "options", "trace"};

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

boost::json::object load_document() {
  const std::string path = std::string(FD_SOURCE_DIR) + "/docs/openapi.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto value = boost::json::parse(text.str(), ec);
  if (ec || !value.is_object()) throw std::runtime_error(path + " is not a JSON object: " + ec.message());
  return std::move(value.as_object());
}

// Everything but the health check, the metrics and the calls between services.
bool is_public(const std::string& path) {
  return path != "/health" && path != "/metrics" && path != "/internal" && path.rfind("/internal/", 0) != 0;
}

// The one documented path not routed to a service: every part answers it itself.
const std::string kHealth = "/health";
const std::string kGatewayTag = "gateway";

// "GET /orders/{orderId}" → path "/orders/{orderId}".
std::string path_of(const std::string& route) { return route.substr(route.find(' ') + 1); }

// The documented operations, as "METHOD /path/{param}", with their first tag.
std::map<std::string, std::string> documented_operations(const boost::json::object& document) {
  std::map<std::string, std::string> out;
  for (const auto& [path, item] : document.at("paths").as_object())
    for (const auto& method : kMethods)
      if (const auto* operation = item.as_object().if_contains(method)) {
        std::string tag;
        if (const auto* tags = operation->as_object().if_contains("tags");
            tags && tags->is_array() && !tags->as_array().empty() && tags->as_array()[0].is_string())
          tag = std::string(tags->as_array()[0].as_string());
        out[upper(method) + " " + std::string(path)] = tag;
      }
  return out;
}

// The {names} of a path template, in order.
std::vector<std::string> template_params(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1))
    out.push_back(path.substr(open + 1, path.find('}', open) - open - 1));
  return out;
}

// "/orders/{orderId}/cancel" → "/orders/1/cancel": a request the router matches.
std::string with_placeholders(const std::string& path) {
  std::string out;
  bool inside = false;
  for (char c : path) {
    if (c == '{') {
      inside = true;
      out += '1';
    } else if (c == '}') {
      inside = false;
    } else if (!inside) {
      out += c;
    }
  }
  return out;
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += "\n  " + item;
  return out;
}

class OpenApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    platform_ = std::make_unique<TestPlatform>();
    std::ifstream in(platform_->data_dir() + "/jwt.secret");
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) secret.pop_back();
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
    auto token = platform::sign_jwt({"openapi-test", "service", "", now, now + 60, "openapi-test"}, secret);
    for (const auto& service : kServices) {
      platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(platform_->port(service)),
                                  std::chrono::seconds(10));
      auto reply = client.get("/internal/routes", {{"Authorization", "Bearer " + token}});
      if (reply.status != 200)
        throw std::runtime_error(service + ": GET /internal/routes answered " + std::to_string(reply.status) + " " +
                                 reply.body);
      auto body = boost::json::parse(reply.body).as_object();
      if (body.at("service").as_string() != service)
        throw std::runtime_error("port of " + service + " answered as " + std::string(body.at("service").as_string()));
      for (const auto& route : body.at("routes").as_array()) {
        std::string text(route.as_string());
        if (!is_public(path_of(text))) continue;
        auto [it, added] = served_.emplace(text, service);
        if (!added) throw std::runtime_error(text + " is served by both " + it->second + " and " + service);
      }
    }
  }
  static void TearDownTestSuite() { platform_.reset(); }

  static TestPlatform& platform() { return *platform_; }
  // Every public "METHOD /path/{param}" served, and the service serving it.
  static const std::map<std::string, std::string>& served() { return served_; }
  // The service that serves some method of a path template ("" when none does).
  static std::string service_of_path(const std::string& path) {
    for (const auto& [route, service] : served_)
      if (path_of(route) == path) return service;
    return {};
  }

 private:
  static inline std::unique_ptr<TestPlatform> platform_;
  static inline std::map<std::string, std::string> served_;
};

TEST_F(OpenApi, TheDocumentIsOpenApi303WithAnIdATagAndAnAnswerForEachOperation) {
  auto document = load_document();
  EXPECT_EQ(document.at("openapi").as_string(), "3.0.3");
  ASSERT_TRUE(document.at("components").as_object().at("schemas").as_object().contains("Problem"));
  std::set<std::string> ids;
  std::vector<std::string> faults;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    std::string where(path);
    if (!is_public(where) && where != kHealth) faults.push_back(where + ": not a public path");
    for (const auto& method : kMethods) {
      const auto* found = item.as_object().if_contains(method);
      if (!found) continue;
      const auto& operation = found->as_object();
      auto name = upper(method) + " " + where;
      const auto* id = operation.if_contains("operationId");
      if (!id || !id->is_string() || id->as_string().empty())
        faults.push_back(name + ": no operationId");
      else if (!ids.insert(std::string(id->as_string())).second)
        faults.push_back(name + ": operationId " + std::string(id->as_string()) + " used twice");
      const auto* tags = operation.if_contains("tags");
      if (!tags || !tags->is_array() || tags->as_array().size() != 1 || !tags->as_array()[0].is_string())
        faults.push_back(name + ": needs exactly one tag naming its service");
      else if (std::string tag(tags->as_array()[0].as_string()); where == kHealth ? tag != kGatewayTag
                                                                   : std::find(kServices.begin(), kServices.end(),
                                                                               tag) == kServices.end())
        faults.push_back(name + ": tagged '" + tag + "', not the service (for /health: the gateway) that answers it");
      if (!operation.contains("summary") || !operation.contains("description"))
        faults.push_back(name + ": needs a summary and a description");
      if (!operation.contains("responses") || operation.at("responses").as_object().empty())
        faults.push_back(name + ": no responses");
      // Each {param} of the template is declared as a path parameter.
      std::set<std::string> declared;
      for (const auto* list : {item.as_object().if_contains("parameters"), operation.if_contains("parameters")}) {
        if (!list) continue;
        for (const auto& parameter : list->as_array()) {
          const auto* object = &parameter.as_object();
          if (const auto* ref = object->if_contains("$ref")) {
            std::string target(ref->as_string());
            const std::string prefix = "#/components/parameters/";
            if (target.rfind(prefix, 0) != 0) continue;
            object = &document.at("components").as_object().at("parameters").as_object().at(
                          target.substr(prefix.size())).as_object();
          }
          if (object->at("in").as_string() == "path") declared.insert(std::string(object->at("name").as_string()));
        }
      }
      auto wanted = template_params(where);
      if (std::set<std::string>(wanted.begin(), wanted.end()) != declared)
        faults.push_back(name + ": path parameters declared do not match the template");
    }
  }
  EXPECT_TRUE(faults.empty()) << "docs/openapi.json:" << listed(faults);
}

TEST_F(OpenApi, EveryPublicRouteServedIsDocumented) {
  ASSERT_FALSE(served().empty());
  auto documented = documented_operations(load_document());
  std::vector<std::string> missing;
  for (const auto& [route, service] : served())
    if (!documented.contains(route)) missing.push_back(route + "   (" + service + ")");
  EXPECT_TRUE(missing.empty()) << "served but not in docs/openapi.json:" << listed(missing);
}

TEST_F(OpenApi, EveryDocumentedOperationIsServedByTheServiceOfItsTag) {
  std::vector<std::string> unserved, mistagged;
  for (const auto& [operation, tag] : documented_operations(load_document())) {
    if (path_of(operation) == kHealth) continue;  // the gateway's own, and every service's
    auto it = served().find(operation);
    if (it == served().end())
      unserved.push_back(operation);
    else if (it->second != tag)
      mistagged.push_back(operation + ": tagged '" + tag + "', served by " + it->second);
  }
  EXPECT_TRUE(unserved.empty()) << "in docs/openapi.json but served by no service:" << listed(unserved);
  EXPECT_TRUE(mistagged.empty()) << listed(mistagged);
}

// A GET of each documented path, with 1 for every id and no token, answers through the gateway
// exactly as the service that serves the path answers it directly: the gateway routes the path,
// and to that service (whatever the service then says: 200, 401, 404, 405).
TEST_F(OpenApi, TheGatewayRoutesEveryDocumentedPathToItsService) {
  auto document = load_document();
  platform::HttpClient gateway("127.0.0.1", static_cast<std::uint16_t>(platform().gateway_port()),
                               std::chrono::seconds(10));
  std::vector<std::string> faults;
  for (const auto& [key, item] : document.at("paths").as_object()) {
    std::string path(key);
    auto target = with_placeholders(path);
    auto through = gateway.get(target);
    if (through.status == 404 && through.body.find("no route for this path") != std::string::npos) {
      faults.push_back("GET " + target + ": the gateway has no route for it");
      continue;
    }
    auto service = service_of_path(path);
    if (service.empty()) continue;  // reported by EveryDocumentedOperationIsServedByTheServiceOfItsTag
    platform::HttpClient direct("127.0.0.1", static_cast<std::uint16_t>(platform().port(service)),
                                std::chrono::seconds(10));
    auto answer = direct.get(target);
    if (through.status != answer.status || through.body != answer.body)
      faults.push_back("GET " + target + ": through the gateway " + std::to_string(through.status) + " " +
                       through.body + ", from " + service + " " + std::to_string(answer.status) + " " + answer.body);
  }
  EXPECT_TRUE(faults.empty()) << listed(faults);
}

}  // namespace
