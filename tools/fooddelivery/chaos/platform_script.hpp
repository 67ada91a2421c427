#pragma once
// scripts/platform, which kills and starts the platform's parts for the chaos run. It runs
// with this process's environment, so it manages the same platform (FD_DATA_DIR, FD_RUN_DIR,
// FD_<PART>_PORT).
#include <string>

namespace fd::cli::chaos {

struct ScriptRun {
  int status = -1;
  std::string output;  // stdout and stderr together

  bool ok() const { return status == 0; }
};

class PlatformScript {
 public:
  explicit PlatformScript(std::string path) : path_(std::move(path)) {}

  // SIGKILLs one part; returns when it is gone.
  ScriptRun kill(const std::string& part) const { return run("kill", part); }
  // Starts every part that is not running and waits until each is healthy.
  ScriptRun start() const { return run("start", {}); }

 private:
  ScriptRun run(const std::string& command, const std::string& part) const;

  std::string path_;
};

}  // namespace fd::cli::chaos
