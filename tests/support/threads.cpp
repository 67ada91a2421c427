#include "support/threads.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fd::test {

long voluntary_switches(int pid, const std::string& name) {
  long switches = 0;
  bool found = false;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::string comm;
    std::getline(std::ifstream(task.path() / "comm"), comm);
    if (comm != name) continue;
    found = true;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("voluntary_ctxt_switches:")) switches += std::stol(line.substr(line.find(':') + 1));
  }
  if (!found) throw std::runtime_error("no thread named " + name + " in process " + std::to_string(pid));
  return switches;
}

}  // namespace fd::test
