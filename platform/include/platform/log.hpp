#pragma once
// Structured logs: one JSON object per line with the service name and, where known, orderId.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace platform::log {

using Field = std::pair<std::string_view, std::string_view>;

void init(std::string_view service);
void info(std::string_view message, std::initializer_list<Field> fields = {});
void warn(std::string_view message, std::initializer_list<Field> fields = {});
void error(std::string_view message, std::initializer_list<Field> fields = {});

}  // namespace platform::log
