#include <cstdio>
#include <string_view>

#include "app.hpp"
#include "rebuild.hpp"

int main(int argc, char** argv) {
  if (argc == 1) return customer::serve();
  if (argc == 2 && std::string_view(argv[1]) == "--rebuild") return customer::rebuild_command();
  std::fprintf(stderr,
               "usage: fd-customer             serve (settings from FD_* variables)\n"
               "       fd-customer --rebuild   while the service is stopped: wipe the status view and reset its\n"
               "                               consumer, so that the next start replays the event stream\n");
  return 2;
}
