#pragma once
#include <cstdint>
#include <string>

namespace platform {

std::int64_t now_ms();
std::int64_t now_s();
// ISO-8601 UTC with milliseconds, e.g. 2026-11-21T23:53:54.123Z.
std::string iso_time(std::int64_t epoch_ms);
// A random 128-bit id in UUID text form.
std::string new_id();

}  // namespace platform
