#include "platform/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace platform {

namespace {
std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}
}  // namespace

Config Config::load() {
  std::map<std::string, std::string> values;
  if (const char* file = std::getenv("FD_CONFIG")) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(std::string("cannot read config file FD_CONFIG=") + file);
    std::string line;
    while (std::getline(in, line)) {
      line = trim(line);
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) throw std::runtime_error("config line without '=': " + line);
      values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
  }
  // The environment wins over the file.
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (entry.rfind("FD_", 0) != 0) continue;
    auto eq = entry.find('=');
    if (eq != std::string::npos) values[entry.substr(3, eq - 3)] = entry.substr(eq + 1);
  }
  return Config(std::move(values));
}

std::string Config::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second;
}

std::string Config::require(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty())
    throw std::runtime_error("missing setting FD_" + name);
  return it->second;
}

std::int64_t Config::integer(const std::string& name, std::int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return fallback;
  try {
    std::size_t used = 0;
    auto value = std::stoll(it->second, &used);
    if (used != it->second.size()) throw std::invalid_argument("trailing characters");
    return value;
  } catch (const std::exception&) {
    throw std::runtime_error("setting FD_" + name + " is not an integer: " + it->second);
  }
}

std::vector<std::string> comma_separated(std::string_view text) {
  std::vector<std::string> items;
  for (std::size_t at = 0;;) {
    auto end = std::min(text.find(',', at), text.size());
    items.push_back(trim(std::string(text.substr(at, end - at))));
    if (end == text.size()) return items;
    at = end + 1;
  }
}

}  // namespace platform
