#include "platform_script.hpp"

#include "platform/process.hpp"

namespace fd::cli::chaos {

ScriptRun PlatformScript::run(const std::string& command, const std::string& part) const {
  std::vector<std::string> argv{"bash", path_, command};
  if (!part.empty()) argv.push_back(part);
  auto ran = platform::run_process(argv);
  return {ran.status, std::move(ran.output)};
}

}  // namespace fd::cli::chaos
