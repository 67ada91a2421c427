// `fooddelivery chaos` on the command line: its options, their defaults from the FD_*
// environment the platform runs with, and their checks.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

#include "../command.hpp"
#include "chaos.hpp"

#ifndef FD_SOURCE_DIR
#define FD_SOURCE_DIR "."
#endif

namespace fd::cli {

namespace {

using chaos::Intent;

std::map<Intent, int> parse_intents(const std::string& text) {
  std::vector<std::string> known;
  for (auto intent : chaos::kIntents) known.emplace_back(chaos::name_of(intent));
  std::map<Intent, int> mix;
  for (const auto& [name, weight] : parse_weights(text, known, "intent"))
    for (auto intent : chaos::kIntents)
      if (name == chaos::name_of(intent)) mix[intent] = weight;
  return mix;
}

std::shared_ptr<chaos::Options> defaults() {
  auto options = std::make_shared<chaos::Options>();
  options->seed = std::random_device{}();
  if (const char* script = std::getenv("FD_PLATFORM_SCRIPT"); script && *script) options->script = script;
  else options->script = std::string(FD_SOURCE_DIR) + "/scripts/platform";
  options->bus = default_bus();
  if (const char* profile = std::getenv("FD_PROFILE"); profile && *profile) options->profile = profile;
  if (const char* replicas = std::getenv("FD_REPLICAS"); replicas && *replicas) options->replicas = std::atoi(replicas);
  return options;
}

// What follows from the profile and the bus: the parts a kill may pick (one process at a
// time: a replica, never a whole service, in the cluster) and every service process's port.
void apply_profile(chaos::Options& options, bool parts_given) {
  if (options.profile == "cluster" && options.replicas < 2) options.replicas = 2;
  if (options.profile == "embedded") options.replicas = 1;
  const std::map<std::string, std::uint16_t> ports{{"auth", 8081},  {"order", 8082},    {"payment", 8083},
                                                   {"store", 8084}, {"customer", 8085}, {"rider", 8086}};
  // The cluster's NATS nodes one at a time: two down at once would leave no quorum. Kafka's
  // mock broker is never killed (check_part).
  std::vector<std::string> parts;
  if (!options.bus.kafka()) {
    if (options.profile == "cluster") parts = {"nats-1", "nats-2", "nats-3"};
    else parts = {"nats"};
  }
  if (options.profile == "cluster") parts.push_back("postgres");
  for (const auto& [service, port] : ports) {
    std::string variable = "FD_";
    for (char c : service) variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    variable += "_PORT";
    auto first = env_port(variable.c_str(), port);
    if (options.replicas == 1) {
      options.service_ports[service] = first;
      parts.push_back(service);
      continue;
    }
    for (int k = 1; k <= options.replicas; ++k) {
      auto replica = service + "-" + std::to_string(k);
      auto fallback = static_cast<std::uint16_t>(first + 100 * (k - 1));
      options.service_ports[replica] = k == 1 ? first : env_port((variable + "_" + std::to_string(k)).c_str(), fallback);
      parts.push_back(replica);
    }
  }
  if (!parts_given) options.parts = parts;
}

// nats, a node of the cluster's (nats-2), gateway, postgres, a service, or one replica of it
// ("order-2").
std::string check_part(const std::string& part) {
  if (part == "kafka")
    return "kafka cannot be killed: the mock Kafka broker keeps nothing on disk, so a restart loses every event "
           "(kill the services, postgres or replicas instead)";
  if (part == "nats" || part == "gateway" || part == "postgres") return {};
  if (part.size() == 6 && part.starts_with("nats-") && part[5] >= '1' && part[5] <= '3') return {};
  auto service = part.substr(0, part.find('-'));
  bool known = std::find(chaos::kServices.begin(), chaos::kServices.end(), service) != chaos::kServices.end();
  bool replica = service.size() == part.size() ||
                 (part.size() > service.size() + 1 &&
                  part.find_first_not_of("0123456789", service.size() + 1) == std::string::npos);
  if (known && replica) return {};
  return "unknown part '" + part + "' (nats, nats-1..3, gateway, postgres, a service, or a replica like order-2)";
}

}  // namespace

Command chaos_command(CLI::App& cli) {
  auto options = defaults();
  auto* app = cli.add_subcommand(
      "chaos", "the no-loss checker: place orders while killing parts, then verify none was lost");
  app->footer(
      "The no-loss checker. Customers place N orders through the gateway (some cancelled at once,\n"
      "some rejected or accepted by the owner, some declined by the card simulator) while a random\n"
      "part is killed with SIGKILL and started again every --kill-every ms. With --min-kills, orders\n"
      "are placed and parts killed until both numbers are reached. Each order carries its own\n"
      "Idempotency-Key and is sent again with it after no answer, 502, 503, 504 or 409; the report\n"
      "gives the share acknowledged on the first attempt and the share acknowledged at all. Then\n"
      "everything is started, drained (outboxes empty, consumers caught up), and every order\n"
      "acknowledged with 201 is checked in every service and in the stream: none lost, none\n"
      "charged, refunded or notified twice, all services agreeing. Exit status 1 on any anomaly.\n"
      "\n"
      "Runs against the platform that scripts/platform manages with the FD_* variables of this\n"
      "environment (FD_DATA_DIR, FD_RUN_DIR, FD_BUILD_DIR, FD_<PART>_PORT, FD_BUS_URL), as `make up` does.");
  app->add_option("-n,--orders", options->orders, "orders to get acknowledged")
      ->type_name("N")
      ->check(at_least(1))
      ->capture_default_str();
  app->add_option("-c,--concurrency", options->concurrency, "customer workers")
      ->type_name("C")
      ->check(at_least(1))
      ->capture_default_str();
  app->add_option("--rate", options->rate, "acknowledged orders per second, 0 for as fast as possible")
      ->type_name("R")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double rate = 0;
            if (CLI::detail::lexical_cast(text, rate) && rate >= 0) return {};
            return "needs a number >= 0, got '" + text + "'";
          },
          ""))
      ->capture_default_str();
  app->add_option("--kill-every", options->kill_every_ms, "a kill every MS milliseconds")
      ->type_name("MS")
      ->check(at_least(50))
      ->capture_default_str();
  app->add_option("--down", options->down_ms, "a killed part stays down up to MS ms, at random")
      ->type_name("MS")
      ->check(at_least(0))
      ->capture_default_str();
  app->add_option("--min-kills", options->min_kills,
                  "keep placing orders and killing parts until at least N kills were made (0: stop at --orders)")
      ->type_name("N")
      ->check(at_least(0))
      ->capture_default_str();
  app->add_option("--max-seconds", options->max_seconds,
                  "placing and killing stop after S seconds at most; the run fails if --orders or --min-kills "
                  "was not reached by then (default: three times the time --orders takes at --rate, plus 120)")
      ->type_name("S")
      ->check(at_least(1));
  auto* parts = app->add_option("--parts", options->parts,
                                "what may be killed: nats, gateway, postgres, services, replicas like order-2, "
                                "or the cluster's NATS nodes nats-1..3, never kafka (default: nats and every "
                                "service; in the cluster profile nats-1, nats-2, nats-3, postgres and every replica, "
                                "one at a time; on Kafka the same without NATS)")
                    ->type_name("LIST")
                    ->delimiter(',')
                    ->check(CLI::Validator([](std::string& part) { return check_part(part); }, ""));
  app->add_option("--profile", options->profile,
                  "the profile the platform runs (default $FD_PROFILE or embedded): cluster adds postgres and "
                  "replicas to what is killed and drained")
      ->check(CLI::IsMember({"embedded", "cluster"}).description(""))
      ->capture_default_str();
  app->add_option("--replicas", options->replicas, "processes per service in the cluster (default $FD_REPLICAS or 2)")
      ->type_name("N")
      ->check(at_least(1));
  app->add_option("--seed", options->seed, "random seed for the order mix and the kills (default: random)")
      ->type_name("S")
      ->check(at_least(0));
  app->add_option("--platform-script", options->script, "scripts/platform (default $FD_PLATFORM_SCRIPT or the source tree's)")
      ->type_name("P")
      ->capture_default_str();
  add_gateway_option(*app, options->gateway);
  add_bus_options(*app, options->bus);
  app->add_option("--drain-timeout", options->drain_timeout_s, "how long the drain may take")
      ->type_name("S")
      ->check(at_least(1))
      ->capture_default_str();
  add_read_option(
      *app, "--mix", [options](const std::string& text) { options->mix = parse_intents(text); },
      "intent weights (default plain:45,cancel:20,reject:15,accept:10,decline:10)")
      ->type_name("LIST");
  app->add_option("--cancel-retry", options->cancel_retry_s, "a failed cancel is tapped again for S seconds (0: once)")
      ->type_name("S")
      ->check(at_least(0))
      ->capture_default_str();
  app->add_flag("--json", options->json, "one JSON object with the verdict instead of the text report");
  app->final_callback([options, parts] {
    if (options->bus.kafka())
      for (const auto& part : options->parts)
        if (part.starts_with("nats"))
          throw CLI::ValidationError("--parts", "'" + part + "' does not run when the bus is Kafka (" +
                                                    options->bus.bus_url + ")");
    apply_profile(*options, parts->count() > 0);
    if (::access(options->script.c_str(), R_OK) != 0)
      throw CLI::ValidationError("--platform-script", "scripts/platform not found at " + options->script);
  });
  return {app, [options] {
            try {
              return chaos::run(*options);
            } catch (const std::exception& error) {
              std::fprintf(stderr, "fooddelivery chaos: %s\n", error.what());
              return 1;
            }
          }};
}

}  // namespace fd::cli
