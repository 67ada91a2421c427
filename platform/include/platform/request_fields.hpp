#pragma once
// Reading a client's JSON body field by field, each refusal a Problem 400 that names the
// field (prefixed by `where`, e.g. "items[2]."), so that every service tells a client what
// was wrong in the same words. Pure: domains use it to validate commands.
#include <boost/json/object.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "platform/problem.hpp"

namespace platform::fields {

// An id as a client must write it in a path or a query: decimal digits only, no sign, space
// or leading zero, at most int64's largest, and positive; nothing otherwise. "01", "+1" and
// " 1" are not 1: one resource has one name.
inline std::optional<std::int64_t> positive_id(std::string_view text) {
  if (text.empty() || text.front() < '1' || text.front() > '9') return std::nullopt;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

// Why a client's text may not be kept, or nothing when it may. Refused: control characters
// (C0, DEL, C1; a newline only where `newlines`), which break the lines and logs the text is
// printed into, and the bidirectional formatting characters that make it display otherwise
// than it reads ("Trojan Source", CVE-2021-42574). The JSON parser has already refused
// invalid UTF-8 and unpaired surrogates; a string made otherwise is checked for them too.
inline std::optional<std::string> unsafe_character(std::string_view text, bool newlines) {
  auto named = [](const char* what, std::uint32_t code) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(code));
    return std::string(what) + " " + hex;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xe ? 3 : (byte >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return "invalid UTF-8";
    std::uint32_t code = length == 1 ? byte : byte & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return "invalid UTF-8";
      code = (code << 6) | (next & 0x3f);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10ffff) return "invalid UTF-8";
    if (code >= 0xd800 && code <= 0xdfff) return named("the surrogate", code);
    if ((code < 0x20 && !(newlines && code == '\n')) || (code >= 0x7f && code <= 0x9f))
      return named("the control character", code);
    if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code == 0x200e || code == 0x200f ||
        code == 0x061c)
      return named("the bidirectional formatting character", code);
    i += length;
  }
  return std::nullopt;
}

// Refuses a key not in `allowed`; `hint` follows the message (e.g. what the body should hold).
inline void only(const boost::json::object& body, std::initializer_list<std::string_view> allowed,
                 const std::string& where = "", std::string_view hint = "") {
  for (const auto& field : body) {
    bool known = false;
    for (auto name : allowed) known = known || field.key() == name;
    if (!known) throw bad_request(where + "unknown field '" + std::string(field.key()) + "'" + std::string(hint));
  }
}

// Whether a string holds a number as a client that writes every value as a string (httpie's
// key=value, a form turned into JSON) writes it: "-3", "0", "37.5", and for an integer no
// fraction. Nothing else is that number: no space, "+", leading zero, bare point or exponent,
// so that one number has one spelling, as an id has (positive_id). Jackson, which the seeds'
// clients were written against, reads such strings as numbers too.
inline bool canonical_number(std::string_view text, bool fraction_allowed) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  auto digits = text.substr(0, text.find('.'));
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0') ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  if (digits.size() == text.size()) return true;
  auto decimals = text.substr(digits.size() + 1);
  return fraction_allowed && !decimals.empty() && decimals.find_first_not_of("0123456789") == std::string_view::npos;
}

inline std::int64_t integer(const boost::json::object& body, std::string_view name, const std::string& where = "") {
  auto* value = body.if_contains(name);
  if (!value) throw bad_request(where + std::string(name) + " is required");
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) throw bad_request(where + std::string(name) + " is out of range");
  if (value->is_string() && canonical_number(value->get_string(), false)) {
    std::string_view text = value->get_string();
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end != text.data() + text.size())
      throw bad_request(where + std::string(name) + " is out of range");
    return number;
  }
  throw bad_request(where + std::string(name) +
                    " must be an integer (a number, or a string of its digits such as \"17\", without spaces, "
                    "sign + or leading zeros)");
}

// A finite number, or nothing when the field is absent. (JSON has no NaN or infinity, but a
// huge literal such as 1e999 parses to infinity.)
inline std::optional<double> optional_number(const boost::json::object& body, std::string_view name) {
  auto* value = body.if_contains(name);
  if (!value) return std::nullopt;
  double number = 0;
  if (value->is_number()) {
    number = value->to_number<double>();
  } else if (value->is_string() && canonical_number(value->get_string(), true)) {
    std::string_view text = value->get_string();
    if (std::from_chars(text.data(), text.data() + text.size(), number).ec != std::errc())
      throw bad_request(std::string(name) + " must be a finite number");
  } else {
    throw bad_request(std::string(name) +
                      " must be a number (a number, or a string of one such as \"37.5\", without spaces, sign + "
                      "leading zeros or exponent)");
  }
  if (!std::isfinite(number)) throw bad_request(std::string(name) + " must be a finite number");
  return number;
}

inline double number(const boost::json::object& body, std::string_view name) {
  auto found = optional_number(body, name);
  if (!found) throw bad_request(std::string(name) + " is required");
  return *found;
}

namespace detail {
inline std::string checked_text(const boost::json::object& body, std::string_view name, std::size_t max_bytes,
                                std::size_t min_bytes, std::string_view example, bool newlines) {
  auto* value = body.if_contains(name);
  if (!value || !value->is_string()) throw bad_request(std::string(name) + " must be a string" + std::string(example));
  std::string text(value->get_string());
  if (text.size() < min_bytes || text.size() > max_bytes)
    throw bad_request(std::string(name) + (min_bytes == 0 ? " must be at most " : " must be " +
                                                                                      std::to_string(min_bytes) + " to ") +
                      std::to_string(max_bytes) + " bytes long");
  if (auto unsafe = unsafe_character(text, newlines))
    throw bad_request(std::string(name) + " must not contain " + *unsafe +
                      (newlines ? "; of the control characters only a newline is allowed" : ""));
  return text;
}
}  // namespace detail

// A one-line string of min_bytes to max_bytes (a name, an address, a token), without control
// or bidirectional formatting characters; `example` follows the message when it is not a string.
inline std::string text(const boost::json::object& body, std::string_view name, std::size_t max_bytes,
                        std::size_t min_bytes = 1, std::string_view example = "") {
  return detail::checked_text(body, name, max_bytes, min_bytes, example, false);
}

// Free text a person writes to be read as a paragraph (a review, a rejection's reason): as
// text(), and it may hold newlines.
inline std::string prose(const boost::json::object& body, std::string_view name, std::size_t max_bytes,
                         std::size_t min_bytes = 1, std::string_view example = "") {
  return detail::checked_text(body, name, max_bytes, min_bytes, example, true);
}

}  // namespace platform::fields
