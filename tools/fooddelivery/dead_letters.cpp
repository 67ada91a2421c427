// fooddelivery dead-letters: the events each service's consumer gave up on (kept in the
// service's own database, consumer.cpp), listed and replayed through the service's
// /internal/dead-letters, which the gateway never routes and which answers only to a service
// token: signed here with the platform's JWT secret, as the drill does.
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"
#include "platform/jwt.hpp"

namespace fd::cli {

namespace {

struct Args {
  std::string service;  // "" lists every service
  std::string data_dir = "data";
  bool json = false;
  std::string id;
  bool all = false;
};

// scripts/platform's default ports, which FD_<SERVICE>_PORT overrides.
Origin service_origin(const std::string& service) {
  const std::map<std::string, std::uint16_t> ports{{"auth", 8081},  {"order", 8082},    {"payment", 8083},
                                                   {"store", 8084}, {"customer", 8085}, {"rider", 8086}};
  std::string variable = "FD_";
  for (char c : service) variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  variable += "_PORT";
  return {"127.0.0.1", env_port(variable.c_str(), ports.at(service))};
}

std::string service_token(const std::string& secret) {
  const auto now = platform::now_s();
  return platform::sign_jwt(
      {"fooddelivery", "service", "", now, now + platform::kServiceTokenSeconds, platform::new_id()}, secret);
}

int fail(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "fooddelivery dead-letters: %s\n", message.c_str());
  return 1;
}

// The service's answer as JSON, or why there is none.
std::optional<boost::json::object> ask(const std::string& service, const std::string& method,
                                       const std::string& target, const std::string& secret, const std::string& body,
                                       std::string& error) {
  Client client(service_origin(service));
  auto reply = client.call(method, target, service_token(secret), body,
                           body.empty() ? platform::Headers{} : platform::Headers{{"Content-Type", "application/json"}});
  auto json = reply.json();
  if (reply.status == 200 && json.is_object()) return json.as_object();
  std::string detail = json.is_object() ? text_of(json, "detail") : "";
  error = "the " + service + " service at " + client.origin().host + ":" + std::to_string(client.origin().port) +
          (reply.status == 0 ? " did not answer: " + reply.body
                             : " answered " + std::to_string(reply.status) + (detail.empty() ? "" : ": " + detail));
  return std::nullopt;
}

int list(const Args& args, const std::string& secret) {
  std::vector<std::string> services;
  if (!args.service.empty())
    services.push_back(args.service);
  else
    services.assign(contracts::kServices.begin(), contracts::kServices.end());
  boost::json::array all;
  int status = 0;
  for (const auto& service : services) {
    std::string error;
    auto answer = ask(service, "GET", "/internal/dead-letters", secret, "", error);
    if (!answer) {
      std::fprintf(stderr, "fooddelivery dead-letters: %s\n", error.c_str());
      status = 1;
      continue;
    }
    for (auto& letter : answer->at("deadLetters").as_array()) {
      letter.as_object()["service"] = service;
      all.push_back(std::move(letter));
    }
  }
  if (args.json) {
    std::printf("%s\n", boost::json::serialize(all).c_str());
  } else {
    if (!all.empty()) std::printf("%-9s %-36s %-18s %8s  %-24s %s\n", "SERVICE", "EVENT ID", "TYPE", "ATTEMPTS", "FAILED AT", "ERROR");
    for (const auto& letter : all)
      std::printf("%-9s %-36s %-18s %8lld  %-24s %s\n", text_of(letter, "service").c_str(), text_of(letter, "id").c_str(),
                  text_of(letter, "type").c_str(), static_cast<long long>(int_of(letter, "attempts")),
                  platform::iso_time(int_of(letter, "failedAt")).c_str(), text_of(letter, "error").c_str());
  }
  std::fflush(stdout);
  return status;
}

int replay(const Args& args, const std::string& secret) {
  boost::json::object request;
  if (args.all)
    request["all"] = true;
  else
    request["id"] = args.id;
  std::string error;
  auto answer = ask(args.service, "POST", "/internal/dead-letters/replay", secret, boost::json::serialize(request), error);
  if (!answer) return fail(error);
  int status = 0;
  for (const auto& replayed : answer->at("replayed").as_array()) {
    if (replayed.at("applied").as_bool()) {
      std::printf("applied %s\n", text_of(replayed, "id").c_str());
    } else {
      std::printf("refused %s: %s (kept)\n", text_of(replayed, "id").c_str(), text_of(replayed, "error").c_str());
      status = 1;
    }
  }
  std::fflush(stdout);
  return status;
}

}  // namespace

Command dead_letters_command(CLI::App& cli) {
  auto args = std::make_shared<Args>();
  if (const char* dir = std::getenv("FD_DATA_DIR")) args->data_dir = dir;
  auto* app = cli.add_subcommand("dead-letters", "list or replay the events the services' consumers gave up on");
  app->require_subcommand(1);
  app->footer(
      "An event a service refuses for good (malformed, forged, not matching its contract), or whose reaction\n"
      "still fails at its FD_MAX_DELIVER-th delivery, is kept in that service's database, acknowledged,\n"
      "and the service goes on with the next events. Replaying applies it again through the inbox.\n"
      "Reaches each service at 127.0.0.1:$FD_<SERVICE>_PORT with a service token signed with\n"
      "$FD_JWT_SECRET or <data>/jwt.secret.");
  const std::vector<std::string> services(contracts::kServices.begin(), contracts::kServices.end());
  auto* list_app = app->add_subcommand("list", "the dead letters, oldest failure first");
  list_app->add_option("--service", args->service, "only this service's")->check(CLI::IsMember(services));
  list_app->add_flag("--json", args->json, "one JSON array of the dead letters, each with its service, body and headers");
  auto* replay_app = app->add_subcommand("replay", "apply dead letters again; a refused one is kept");
  replay_app->add_option("--service", args->service, "the service whose dead letters to replay")
      ->required()
      ->check(CLI::IsMember(services));
  auto* id = replay_app->add_option("--id", args->id, "the event id of the dead letter to replay")->type_name("ID");
  auto* all = replay_app->add_flag("--all", args->all, "replay every dead letter of the service");
  id->excludes(all);
  for (auto* sub : {list_app, replay_app})
    sub->add_option("--data", args->data_dir, "the platform's data folder holding jwt.secret (default $FD_DATA_DIR or ./data)")
        ->type_name("DIR");
  return {app, [args, replay_app] {
            if (replay_app->parsed() && args->id.empty() && !args->all) {
              std::fprintf(stderr, "fooddelivery dead-letters replay: give --id ID or --all\n");
              return 2;
            }
            try {
              const std::string secret = jwt_secret(args->data_dir);
              return replay_app->parsed() ? replay(*args, secret) : list(*args, secret);
            } catch (const std::exception& error) {
              return fail(error.what());
            }
          }};
}

}  // namespace fd::cli
