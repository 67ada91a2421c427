#include "platform/json_text.hpp"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

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

// Builds the value as boost::json::parser does (a value_stack), and keeps the keys of each
// object being read to find one given twice.
class NoDuplicateKeys {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  boost::json::value_stack stack;
  std::optional<std::string> duplicate;  // the key found twice, when one was

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    keys_.pop_back();
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
    key_.append(part.data(), part.size());
    stack.push_chars(part);
    return true;
  }
  bool on_key(boost::json::string_view last, std::size_t, boost::system::error_code& ec) {
    key_.append(last.data(), last.size());
    if (!keys_.back().insert(key_).second) {
      duplicate = key_;
      ec = boost::json::error::syntax;  // stops the parser; `duplicate` says why
      return false;
    }
    key_.clear();
    stack.push_key(last);
    return true;
  }
  bool on_string_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
    stack.push_chars(part);
    return true;
  }
  bool on_string(boost::json::string_view last, std::size_t, boost::system::error_code&) {
    stack.push_string(last);
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view, boost::system::error_code&) {
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  std::vector<std::set<std::string, std::less<>>> keys_;  // one set per object open now
  std::string key_;                                       // the key being read, in parts
};

}  // namespace

boost::json::value parse_json(std::string_view text, std::string& why_not, std::size_t max_depth) {
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::json::basic_parser<NoDuplicateKeys> parser(options);
  parser.handler().stack.reset();
  boost::system::error_code ec;
  auto used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (ec) {
    const auto& duplicate = parser.handler().duplicate;
    why_not = duplicate ? "has the key '" + *duplicate + "' twice in one object" : "is not valid JSON: " + ec.message();
    return nullptr;
  }
  why_not.clear();
  return parser.handler().stack.release();
}

std::string to_json(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  write(out, value);
  return out;
}

}  // namespace platform
