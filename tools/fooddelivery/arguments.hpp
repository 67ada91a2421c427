#pragma once
// Reading a subcommand's options: `--flag value` pairs and switches, with errors that name
// the flag (std::invalid_argument, turned into a usage message by the subcommand).
#include <stdexcept>
#include <string>

namespace fd::cli {

class Arguments {
 public:
  Arguments(int argc, char** argv, int first) : argc_(argc), argv_(argv), next_(first) {}

  // Moves to the next option; false when none is left.
  bool next() {
    if (next_ >= argc_) return false;
    flag_ = argv_[next_++];
    return true;
  }
  const std::string& flag() const { return flag_; }
  bool is(const char* name, const char* alias = nullptr) const { return flag_ == name || (alias && flag_ == alias); }

  // The option's value.
  std::string value() {
    if (next_ >= argc_) throw std::invalid_argument(flag_ + " needs a value");
    return argv_[next_++];
  }

  // The option's value as a whole number of at least min.
  long long number(long long min = 1) {
    auto text = value();
    try {
      std::size_t used = 0;
      auto n = std::stoll(text, &used);
      if (used == text.size() && n >= min) return n;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(flag_ + " needs a number ≥ " + std::to_string(min) + ", got '" + text + "'");
  }

  [[noreturn]] void unknown() const { throw std::invalid_argument("unknown option " + flag_); }

 private:
  int argc_;
  char** argv_;
  int next_;
  std::string flag_;
};

}  // namespace fd::cli
