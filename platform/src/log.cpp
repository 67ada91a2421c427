#include "platform/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "platform/trace.hpp"

namespace platform::log {

namespace {

std::string quoted(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

std::string line(std::string_view message, std::initializer_list<Field> fields) {
  std::string out = "\"msg\":" + quoted(message);
  for (const auto& [key, value] : fields) {
    out += ',';
    out += quoted(key);
    out += ':';
    out += quoted(value);
  }
  // Every line of a request's or a reaction's work names its trace (hex: nothing to escape).
  if (const auto* context = trace::current()) {
    out += R"(,"traceId":")";
    out += context->trace();
    out += '"';
  }
  return out + '}';
}

void ensure_logger();

}  // namespace

void init(std::string_view service) {
  spdlog::drop("fd");
  auto logger = spdlog::stdout_logger_mt("fd");
  // The message itself completes the JSON object: {"ts":..,"level":..,"service":..,"msg":..,...}
  logger->set_pattern(std::string(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","service":")") +
                          std::string(service) + "\",%v",
                      spdlog::pattern_time_type::utc);
  // A flush per line is a write(2) per order on the hot path; a second's delay is enough.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

namespace {
void ensure_logger() {
  static const bool ready = [] {
    if (!spdlog::get("fd")) init("fd");
    return true;
  }();
  (void)ready;
}
}  // namespace

void info(std::string_view message, std::initializer_list<Field> fields) {
  ensure_logger();
  spdlog::info("{}", line(message, fields));
}
void warn(std::string_view message, std::initializer_list<Field> fields) {
  ensure_logger();
  spdlog::warn("{}", line(message, fields));
}
void error(std::string_view message, std::initializer_list<Field> fields) {
  ensure_logger();
  spdlog::error("{}", line(message, fields));
}

}  // namespace platform::log
