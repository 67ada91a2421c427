// fooddelivery: the platform's operator CLI. Each subcommand registers its options in its own
// source file; a usage error exits 2, which scripts tell apart from a failed run (1).
#include <CLI/CLI.hpp>
#include <iostream>

#include "command.hpp"

namespace {

// "fooddelivery drill c5: -c: needs ...", naming the command the options belong to.
std::string usage_error(const CLI::App* cli, const CLI::Error& error) {
  std::string command = cli->get_name();
  const CLI::App* chosen = cli;
  while (!chosen->get_subcommands().empty()) {
    chosen = chosen->get_subcommands().front();
    command += " " + chosen->get_name();
  }
  std::string what = error.what();
  if (chosen->get_require_subcommand_min() > 0) {
    std::string names;
    for (const auto* sub : chosen->get_subcommands([](const CLI::App*) { return true; }))
      names += (names.empty() ? "" : ", ") + sub->get_name();
    auto rest = chosen->remaining();
    what = (rest.empty() ? "needs a command" : "unknown command '" + rest.front() + "'") + " (one of: " + names + ")";
  }
  return command + ": " + what + "\nRun '" + command + " --help' for its options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli("The platform's operator CLI. Run 'fooddelivery <command> --help' for a command's options.",
               "fooddelivery");
  cli.require_subcommand(1);
  cli.failure_message(usage_error);
  const fd::cli::Command commands[] = {fd::cli::events_command(cli), fd::cli::load_command(cli),
                                       fd::cli::drill_command(cli), fd::cli::chaos_command(cli),
                                       fd::cli::bus_permissions_command(cli), fd::cli::kafka_broker_command(cli),
                                       fd::cli::lag_command(cli), fd::cli::dead_letters_command(cli),
                                       fd::cli::gateway_metrics_command(cli)};
  auto* help = cli.add_subcommand("help", "print this list of commands");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return cli.exit(error) == 0 ? 0 : 2;
  }
  if (help->parsed()) {
    std::cout << cli.get_formatter()->make_help(&cli, cli.get_name(), CLI::AppFormatMode::Normal);
    return 0;
  }
  for (const auto& command : commands)
    if (command.app->parsed()) return command.run();
  return 2;
}
