#include "app.hpp"
#include "rebuild.hpp"

int main(int argc, char** argv) {
  return platform::run_service(
      customer::kServiceName, argc, argv, customer::install,
      {{"--rebuild",
        "While the service is stopped: empty the status view and reset its consumer, so that the next start replays "
        "the event stream (notifications are not sent again).",
        customer::rebuild_command}});
}
