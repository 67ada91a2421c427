#include "support/threads.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace fd::test {

namespace {

// Each of the process's threads' folder in /proc whose name is `name`.
std::vector<std::filesystem::path> tasks_named(int pid, const std::string& name) {
  std::vector<std::filesystem::path> found;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::string comm;
    std::getline(std::ifstream(task.path() / "comm"), comm);
    if (comm == name) found.push_back(task.path());
  }
  return found;
}

}  // namespace

long voluntary_switches(int pid, const std::string& name) {
  const auto tasks = tasks_named(pid, name);
  if (tasks.empty()) throw std::runtime_error("no thread named " + name + " in process " + std::to_string(pid));
  long switches = 0;
  for (const auto& task : tasks) {
    std::ifstream status(task / "status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("voluntary_ctxt_switches:")) switches += std::stol(line.substr(line.find(':') + 1));
  }
  return switches;
}

int threads_named(int pid, const std::string& name) { return static_cast<int>(tasks_named(pid, name).size()); }

}  // namespace fd::test
