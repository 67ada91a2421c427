// fooddelivery: the platform's operator CLI. A small dispatcher; each subcommand lives in its
// own source file and takes the arguments after its name.
#include <cstdio>
#include <cstring>
#include <string_view>

namespace fd::cli {
int events(int argc, char** argv);  // events.cpp
int load(int argc, char** argv);    // load.cpp
int drill(int argc, char** argv);   // drill.cpp
int chaos(int argc, char** argv);   // chaos.cpp
}  // namespace fd::cli

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"events", "print the events of the JetStream stream, one JSON object per line", fd::cli::events},
    {"load", "put load on the platform through the gateway and report availability and latency", fd::cli::load},
    {"drill", "run a resilience drill that tells its story (c5: the circuit breaker)", fd::cli::drill},
    {"chaos", "the no-loss checker: place orders while killing parts, then verify none was lost", fd::cli::chaos},
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: fooddelivery <command> [options]\n"
               "\n"
               "commands:\n");
  for (const auto& command : kCommands) std::fprintf(out, "  %-10s %s\n", command.name, command.summary);
  std::fprintf(out, "\nRun 'fooddelivery <command> --help' for a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return 0;
  }
  for (const auto& command : kCommands)
    if (name == command.name) return command.run(argc - 1, argv + 1);
  std::fprintf(stderr, "fooddelivery: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
