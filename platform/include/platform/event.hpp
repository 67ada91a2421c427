#pragma once
// A domain event on its way to the outbox or from the bus: a contract type (contracts/
// events.hpp) as its flat JSON body, as the seeds publish it. Pure data: services' domains
// build these without any I/O.
#include <boost/json/object.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "contracts/codec.hpp"

namespace platform {

// orderId as text, whether the body carries it as a number (the seeds' Long) or a string.
inline std::string order_id_of(const boost::json::object& body) {
  auto* id = body.if_contains("orderId");
  if (!id) return {};
  if (id->is_int64()) return std::to_string(id->get_int64());
  if (id->is_string()) return std::string(id->get_string());
  return {};
}

struct Event {
  std::string type;
  // The contract's fields; eventType is added on append, and timestamp (the moment of the
  // append) unless the body has one (events_at).
  boost::json::object body;

  std::string order_id() const { return order_id_of(body); }
};
using Events = std::vector<Event>;

// What a domain transition returns: the typed events it causes, ready for the outbox.
template <class... Typed>
Events events(const Typed&... typed) {
  return {Event{std::string(Typed::type), contracts::to_body(typed)}...};
}

// The same, happened at `at_ms` (epoch ms, the transition's own clock): for a domain that
// also shows that moment, so that what it answers and what the event says agree to the
// millisecond (a rider's reported position, its reportedAt).
template <class... Typed>
Events events_at(std::int64_t at_ms, const Typed&... typed) {
  Events out = events(typed...);
  for (auto& event : out) event.body["timestamp"] = at_ms;
  return out;
}

struct ReceivedEvent {
  std::string id;  // Nats-Msg-Id: unique per event, the inbox key
  std::string type;
  boost::json::object body;

  std::string order_id() const { return order_id_of(body); }
  // When it was appended (epoch ms), 0 if the body does not say.
  std::int64_t timestamp() const {
    auto* at = body.if_contains("timestamp");
    return at && at->is_int64() ? at->get_int64() : 0;
  }
};

// A step reported before the step it follows from has happened here (an event that overtook
// an earlier one after a crash): not a refusal, it is tried again later.
struct TooEarly : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace platform
