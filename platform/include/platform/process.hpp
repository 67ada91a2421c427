#pragma once
// Running another program and keeping what it printed: the CLI's chaos run and the tests
// drive scripts/platform this way.
#include <string>
#include <vector>

namespace platform {

struct ProcessResult {
  int status = -1;     // the exit code; 128 + the signal when one killed it; -1 when it could not start
  std::string output;  // stdout and stderr together (why it could not start, then)
};

// Runs argv[0] (looked up in PATH) with stdin from /dev/null and waits for it to end.
// `environment` ("NAME=value" entries) replaces this process's environment when given.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>* environment = nullptr);

}  // namespace platform
