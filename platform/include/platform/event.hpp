#pragma once
// A domain event as the seeds publish it: a flat JSON body with eventType, timestamp and
// orderId. Pure data: services' domains build these without any I/O.
#include <boost/json/object.hpp>
#include <string>

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
  boost::json::object body;  // the aggregate's fields; eventType and timestamp are added on append

  std::string order_id() const { return order_id_of(body); }
};

struct ReceivedEvent {
  std::string id;  // Nats-Msg-Id: unique per event, the inbox key
  std::string type;
  boost::json::object body;

  std::string order_id() const { return order_id_of(body); }
};

}  // namespace platform
