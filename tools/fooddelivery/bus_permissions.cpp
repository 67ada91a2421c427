// fooddelivery bus-permissions: the bus's identities and what each may publish and subscribe
// to (platform/bus_access.hpp), as nats-server configuration: scripts/platform and
// deploy/k8s/render write it out, so that the permissions always follow the event contracts.
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "platform/bus_access.hpp"

namespace fd::cli {

Command bus_permissions_command(CLI::App& cli) {
  auto identities_only = std::make_shared<bool>(false);
  auto* app = cli.add_subcommand("bus-permissions",
                                 "print the bus's identities and their NATS permissions as nats-server configuration");
  app->footer(
      "Prints nats-server's `authorization { users = [...] }` block: one user per service (publishing only the "
      "events its contract says it produces), viewer (reads the stream) and admin (everything). Each password is "
      "the variable $NATS_PASSWORD_<NAME>, to be defined before the block or in nats-server's environment.");
  app->add_flag("--identities", *identities_only, "print only the identities' names, one per line");
  return {app, [identities_only] {
            auto identities = platform::bus_identities();
            if (*identities_only) {
              for (const auto& identity : identities) std::printf("%s\n", identity.name.c_str());
            } else {
              std::fputs(platform::nats_authorization(identities).c_str(), stdout);
            }
            return std::fflush(stdout) == 0 ? 0 : 1;
          }};
}

}  // namespace fd::cli
