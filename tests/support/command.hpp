#pragma once
// Runs a shell command, as a user would type it, and keeps what it printed.
#include <string>

namespace fd::test {

struct CommandResult {
  int status = -1;     // the exit status; -1 when it could not run or was killed
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command);

}  // namespace fd::test
