#pragma once
// What the subcommands share on the command line: how each registers itself with CLI11, the
// checks of their values, and the defaults they take from the platform's FD_* environment.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "client.hpp"
#include "platform/messaging.hpp"

namespace fd::cli {

// A subcommand: its options, bound by its registration, and what runs when it was chosen.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command events_command(CLI::App& cli);  // events.cpp
Command load_command(CLI::App& cli);    // load.cpp
Command drill_command(CLI::App& cli);   // drill.cpp
Command chaos_command(CLI::App& cli);   // chaos/command.cpp
Command bus_permissions_command(CLI::App& cli);  // bus_permissions.cpp
Command kafka_broker_command(CLI::App& cli);     // kafka_broker.cpp
Command lag_command(CLI::App& cli);              // lag.cpp
Command dead_letters_command(CLI::App& cli);     // dead_letters.cpp
Command gateway_metrics_command(CLI::App& cli);  // gateway_metrics.cpp

// SIGINT and SIGTERM end a following command's loop (interrupted() turns true) rather than the
// process, so that it says what it has to say on its way out; SIGPIPE is ignored: a reader
// gone shows as a failed write.
void stop_on_signals();
bool interrupted();

// A whole number no smaller than min, said in words: CLI11's own ranges print doubles.
CLI::Validator at_least(long long min);

// An option whose text `read` turns into a value, throwing std::invalid_argument to say what
// is wrong; that becomes the usage error.
template <class Read>
CLI::Option* add_read_option(CLI::App& app, const std::string& name, Read read, const std::string& description) {
  return app.add_option_function<std::string>(
      name,
      [name, read](const std::string& text) {
        try {
          read(text);
        } catch (const std::invalid_argument& error) {
          throw CLI::ValidationError(name, error.what());
        }
      },
      description);
}

// --gateway URL, defaulting to 127.0.0.1:$FD_GATEWAY_PORT (8088).
CLI::Option* add_gateway_option(CLI::App& app, Origin& gateway);

// A port from the environment (FD_<PART>_PORT); fallback when it is unset or no port.
std::uint16_t env_port(const char* variable, std::uint16_t fallback);

// The secret the services sign tokens with: $FD_JWT_SECRET, else <data_dir>/jwt.secret (what
// scripts/platform keeps there). Throws std::runtime_error naming both when neither is there.
std::string jwt_secret(const std::string& data_dir);

// $FD_NATS_URL, or nats://127.0.0.1:$FD_NATS_PORT (4222), as the identity $FD_NATS_USER with
// $FD_NATS_PASSWORD (scripts/platform run <identity> -- <command> sets all three).
platform::NatsEndpoint default_nats();

// The bus a tool reads: $FD_BUS_URL (kafka://host:port[,...] for Kafka), else JetStream at
// default_nats().
platform::BusEndpoint default_bus();
// --bus URL (FD_BUS_URL's kafka://..., or "" for JetStream) and --nats URL (the NATS server
// when the bus is JetStream), each defaulting to what `bus` holds.
void add_bus_options(CLI::App& app, platform::BusEndpoint& bus);

// "name:weight,name,..." (weight 1 when left out, 0 drops the name) of the known names;
// `what` names them in errors ("operation"). Throws std::invalid_argument.
std::map<std::string, int> parse_weights(const std::string& text, const std::vector<std::string>& known,
                                         const std::string& what);

}  // namespace fd::cli
