#pragma once
// A contract type to and from its flat JSON body, declared by its description
// (BOOST_DESCRIBE_STRUCT) alone. Reading is strict about what the type names: a missing
// field or one of another kind is an UnreadableEvent naming the event and the field; an
// absent std::optional is no error; keys the type does not name (eventType, timestamp,
// status) are ignored. Writing puts the type's `status` word (when it has one) after the
// fields and leaves an empty std::optional out.
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace contracts {

// A body that does not match its contract: delivering it again cannot make it whole.
struct UnreadableEvent : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace codec {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
boost::json::value write(const T& value);

template <class T>
boost::json::object write_object(const T& value) {
  boost::json::object out;
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto member) {
    const auto& field = value.*member.pointer;
    using Field = std::decay_t<decltype(field)>;
    if constexpr (is_optional<Field>::value) {
      if (field) out.emplace(member.name, write(*field));
    } else {
      out.emplace(member.name, write(field));
    }
  });
  return out;
}

template <class T>
boost::json::value write(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return boost::json::value(value);
  } else if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T>) {
    return boost::json::value(value);
  } else if constexpr (is_vector<T>::value) {
    boost::json::array out;
    out.reserve(value.size());
    for (const auto& item : value) out.push_back(write(item));
    return out;
  } else {
    return write_object(value);
  }
}

[[noreturn]] inline void unreadable(std::string_view where, std::string_view expected) {
  throw UnreadableEvent(std::string(where) + " must be " + std::string(expected));
}

template <class T>
T read(const boost::json::value& json, const std::string& where);

template <class T>
T read_object(const boost::json::value& json, const std::string& where) {
  const auto* object = json.if_object();
  if (!object) unreadable(where, "an object");
  T out{};
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto member) {
    auto& field = out.*member.pointer;
    using Field = std::decay_t<decltype(field)>;
    const auto* found = object->if_contains(member.name);
    std::string path = where + "." + member.name;
    if constexpr (is_optional<Field>::value) {
      if (found && !found->is_null()) field = read<typename Field::value_type>(*found, path);
    } else {
      if (!found) throw UnreadableEvent(path + " is missing");
      field = read<Field>(*found, path);
    }
  });
  return out;
}

template <class T>
T read(const boost::json::value& json, const std::string& where) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!json.is_string()) unreadable(where, "a string");
    return std::string(json.get_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!json.is_bool()) unreadable(where, "true or false");
    return json.get_bool();
  } else if constexpr (std::is_integral_v<T>) {
    if (json.is_int64()) return json.get_int64();
    if (json.is_uint64() && json.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<T>(json.get_uint64());
    unreadable(where, "an integer");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!json.is_number()) unreadable(where, "a number");
    return json.to_number<T>();
  } else if constexpr (is_vector<T>::value) {
    const auto* array = json.if_array();
    if (!array) unreadable(where, "an array");
    T out;
    out.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i)
      out.push_back(read<typename T::value_type>((*array)[i], where + "[" + std::to_string(i) + "]"));
    return out;
  } else {
    return read_object<T>(json, where);
  }
}

}  // namespace codec

// The event's body without eventType and timestamp (added when it is appended).
template <class Event>
boost::json::object to_body(const Event& event) {
  auto body = codec::write_object(event);
  if (!Event::status.empty()) body.emplace("status", Event::status);
  return body;
}

// Throws UnreadableEvent naming the field that does not match the contract.
template <class Event>
Event from_body(const boost::json::object& body) {
  return codec::read_object<Event>(boost::json::value(body), std::string(Event::type));
}

}  // namespace contracts
