#pragma once
// Settings come from the environment (FD_<NAME>) over a key=value file named by FD_CONFIG.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace platform {

class Config {
 public:
  static Config load();
  explicit Config(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  std::string get(const std::string& name, const std::string& fallback) const;
  std::string require(const std::string& name) const;
  std::int64_t integer(const std::string& name, std::int64_t fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

// The items of a comma-separated setting (FD_NATS_URL, FD_BUS_URL's brokers, a service's
// origins), each trimmed of blanks; an empty item is kept, for the caller to refuse or skip.
std::vector<std::string> comma_separated(std::string_view text);

}  // namespace platform
