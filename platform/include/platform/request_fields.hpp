#pragma once
// Reading a client's JSON body field by field, each refusal a Problem 400 that names the
// field (prefixed by `where`, e.g. "items[2]."), so that every service tells a client what
// was wrong in the same words. Pure: domains use it to validate commands.
#include <boost/json/object.hpp>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "platform/problem.hpp"

namespace platform::fields {

// Refuses a key not in `allowed`; `hint` follows the message (e.g. what the body should hold).
inline void only(const boost::json::object& body, std::initializer_list<std::string_view> allowed,
                 const std::string& where = "", std::string_view hint = "") {
  for (const auto& field : body) {
    bool known = false;
    for (auto name : allowed) known = known || field.key() == name;
    if (!known) throw bad_request(where + "unknown field '" + std::string(field.key()) + "'" + std::string(hint));
  }
}

inline std::int64_t integer(const boost::json::object& body, std::string_view name, const std::string& where = "") {
  auto* value = body.if_contains(name);
  if (!value) throw bad_request(where + std::string(name) + " is required");
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) throw bad_request(where + std::string(name) + " is out of range");
  throw bad_request(where + std::string(name) + " must be an integer");
}

// A finite number, or nothing when the field is absent. (JSON has no NaN or infinity, but a
// huge literal such as 1e999 parses to infinity.)
inline std::optional<double> optional_number(const boost::json::object& body, std::string_view name) {
  auto* value = body.if_contains(name);
  if (!value) return std::nullopt;
  if (!value->is_number()) throw bad_request(std::string(name) + " must be a number");
  double number = value->to_number<double>();
  if (!std::isfinite(number)) throw bad_request(std::string(name) + " must be a finite number");
  return number;
}

inline double number(const boost::json::object& body, std::string_view name) {
  auto found = optional_number(body, name);
  if (!found) throw bad_request(std::string(name) + " is required");
  return *found;
}

// A string of min_bytes to max_bytes; `example` follows the message when it is not a string.
inline std::string text(const boost::json::object& body, std::string_view name, std::size_t max_bytes,
                        std::size_t min_bytes = 1, std::string_view example = "") {
  auto* value = body.if_contains(name);
  if (!value || !value->is_string()) throw bad_request(std::string(name) + " must be a string" + std::string(example));
  std::string text(value->get_string());
  if (text.size() < min_bytes || text.size() > max_bytes)
    throw bad_request(std::string(name) + (min_bytes == 0 ? " must be at most " : " must be " +
                                                                                      std::to_string(min_bytes) + " to ") +
                      std::to_string(max_bytes) + " bytes long");
  return text;
}

}  // namespace platform::fields
