#include "command.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sstream>

namespace fd::cli {

namespace {
volatile sig_atomic_t g_interrupted = 0;
void on_signal(int) { g_interrupted = 1; }
}  // namespace

void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool interrupted() { return g_interrupted != 0; }

CLI::Validator at_least(long long min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        long long n = 0;
        if (CLI::detail::lexical_cast(text, n) && n >= min) return {};
        return "needs a whole number >= " + std::to_string(min) + ", got '" + text + "'";
      },
      "");
}

CLI::Option* add_gateway_option(CLI::App& app, Origin& gateway) {
  gateway = {"127.0.0.1", env_port("FD_GATEWAY_PORT", 8088)};
  return add_read_option(
             app, "--gateway", [&gateway](const std::string& url) { gateway = parse_origin(url); },
             "the gateway (default http://127.0.0.1:$FD_GATEWAY_PORT or :8088)")
      ->type_name("URL");
}

std::uint16_t env_port(const char* variable, std::uint16_t fallback) {
  const char* value = std::getenv(variable);
  if (!value || !*value) return fallback;
  int port = std::atoi(value);
  return port > 0 && port < 65536 ? static_cast<std::uint16_t>(port) : fallback;
}

std::string jwt_secret(const std::string& data_dir) {
  if (const char* secret = std::getenv("FD_JWT_SECRET"); secret && *secret) return secret;
  std::ifstream in(data_dir + "/jwt.secret");
  std::string secret;
  if (!(in >> secret))
    throw std::runtime_error("no JWT secret: set FD_JWT_SECRET or point --data at the platform's data folder (" +
                             data_dir + "/jwt.secret not readable)");
  return secret;
}

platform::NatsEndpoint default_nats() {
  auto variable = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  auto url = variable("FD_NATS_URL");
  if (url.empty()) url = "nats://127.0.0.1:" + std::to_string(env_port("FD_NATS_PORT", 4222));
  return {url, variable("FD_NATS_USER"), variable("FD_NATS_PASSWORD")};
}

platform::BusEndpoint default_bus() {
  const char* url = std::getenv("FD_BUS_URL");
  return {url ? url : "", default_nats()};
}

void add_bus_options(CLI::App& app, platform::BusEndpoint& bus) {
  app.add_option("--bus", bus.bus_url,
                 "the bus: kafka://host:port[,host:port...] for Kafka's brokers, or \"\" for JetStream at --nats "
                 "(default $FD_BUS_URL)")
      ->type_name("URL")
      ->check(CLI::Validator(
          [](std::string& url) -> std::string {
            if (url.empty() || url.starts_with("kafka://")) return {};
            return "'" + url + "' is no bus URL: give kafka://host:port[,host:port...], or \"\" for JetStream (--nats)";
          },
          ""));
  app.add_option("--nats", bus.nats.url,
                 "NATS, when the bus is JetStream (default $FD_NATS_URL or nats://127.0.0.1:$FD_NATS_PORT or :4222), "
                 "as the identity $FD_NATS_USER with $FD_NATS_PASSWORD: viewer (scripts/platform run viewer -- "
                 "fooddelivery ...)")
      ->type_name("URL");
}

std::map<std::string, int> parse_weights(const std::string& text, const std::vector<std::string>& known,
                                         const std::string& what) {
  std::map<std::string, int> weights;
  std::stringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    auto colon = part.find(':');
    auto name = part.substr(0, colon);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown " + what + " '" + name + "' (known: " + names + ")");
    }
    int weight = 1;
    if (colon != std::string::npos) {
      std::size_t used = 0;
      auto number = part.substr(colon + 1);
      try {
        weight = std::stoi(number, &used);
      } catch (const std::exception&) {
      }
      if (used == 0 || used != number.size())
        throw std::invalid_argument("weight of '" + name + "' is not a number");
    }
    if (weight < 0) throw std::invalid_argument("weight of '" + name + "' is negative");
    if (weight > 0) weights[name] = weight;
  }
  if (weights.empty()) throw std::invalid_argument("names no " + what);
  return weights;
}

}  // namespace fd::cli
