#pragma once
// Settings come from the environment (FD_<NAME>) over a key=value file named by FD_CONFIG.
#include <cstdint>
#include <map>
#include <string>

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

}  // namespace platform
