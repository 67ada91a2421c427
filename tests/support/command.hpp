#pragma once
// Runs a shell command, as a user would type it, and keeps what it printed; or starts a
// program in the background as the tests' own copy of a part (nats-server, a Kafka broker).
#include <sys/types.h>

#include <string>
#include <vector>

namespace fd::test {

struct CommandResult {
  int status = -1;     // the exit status; -1 when it could not run or was killed
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command);

// Starts args[0] with args (no shell) as a child that never outlives the test process, its
// output appended to `log`, its input /dev/null. Returns its pid; throws when fork fails.
pid_t spawn(const std::vector<std::string>& args, const std::string& log);

}  // namespace fd::test
