#include "platform/json_text.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

namespace platform {

namespace {

void write(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& field : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string(field.key()));
        out += ':';
        write(out, field.value());
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, item);
      }
      out += ']';
      break;
    }
    case boost::json::kind::double_: {
      double number = value.get_double();
      if (!std::isfinite(number)) {
        out += "null";  // JSON has no NaN or infinity
        break;
      }
      char text[32];
      auto [end, ec] = std::to_chars(text, text + sizeof text, number);
      out.append(text, end);
      break;
    }
    default: out += boost::json::serialize(value);
  }
}

}  // namespace

std::string to_json(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  write(out, value);
  return out;
}

}  // namespace platform
