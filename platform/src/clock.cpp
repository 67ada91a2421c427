#include "platform/clock.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace platform {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t now_s() { return now_ms() / 1000; }

std::string iso_time(std::int64_t epoch_ms) {
  std::time_t seconds = epoch_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 64> text{};  // room for any int, which GCC checks the format against
  std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return text.data();
}

std::string new_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const auto ms = static_cast<std::uint64_t>(now_ms());
  std::uint64_t high = (ms << 16) | 0x7000ULL | (random() & 0x0fffULL);      // version 7, 12 random bits
  std::uint64_t low = (random() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 9562 variant
  std::array<char, 40> text{};
  std::snprintf(text.data(), text.size(), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xffff),
                static_cast<unsigned>(high & 0xffff), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text.data();
}

}  // namespace platform
