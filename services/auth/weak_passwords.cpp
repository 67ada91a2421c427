// Easy-to-guess passwords, by Debian's cracklib and its dictionary (cracklib-runtime).
#include <cstddef>  // crack.h uses size_t without including it
#include <crack.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "app.hpp"

namespace auth {

void check_password_dictionary() {
  std::string dictionary = GetDefaultCracklibDict();
  for (const char* part : {".pwd", ".pwi", ".hwm"})
    if (!std::filesystem::exists(dictionary + part))
      throw std::runtime_error("cracklib's dictionary " + dictionary + part +
                               " is missing: install cracklib-runtime (scripts/install-deps)");
}

std::optional<std::string> password_weakness(const std::string& password, const std::string& username,
                                             const std::string& display_name) {
  // cracklib keeps state in statics between its calls.
  static std::mutex one_at_a_time;
  std::lock_guard lock(one_at_a_time);
  const char* reason =
      FascistCheckUser(password.c_str(), GetDefaultCracklibDict(), username.c_str(), display_name.c_str());
  if (!reason) return std::nullopt;
  return std::string(reason);
}

}  // namespace auth
