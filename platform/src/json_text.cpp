#include "platform/json_text.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace platform {

namespace {

// Text from a client (a path quoted in a problem's detail, say) may be any bytes; JSON is
// UTF-8. Each byte that does not start a well-formed sequence becomes U+FFFD.
std::string well_formed_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xe ? 3 : (byte >> 3) == 0x1e ? 4 : 0;
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (ok && length > 1) {
      // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
      std::uint32_t code = byte & (0x7f >> length);
      for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
      static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = code >= kSmallest[length] && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    }
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string quoted(std::string_view text) { return boost::json::serialize(boost::json::string(well_formed_utf8(text))); }

void write(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& field : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += quoted(field.key());
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
    case boost::json::kind::string: out += quoted(value.get_string()); break;
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
