#pragma once
// Reads every event stored in the JetStream stream, to count what was published.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace fd::test {

struct StoredEvent {
  std::string type;  // NATS header `type`
  std::string id;    // Nats-Msg-Id
  boost::json::object body;
};

std::vector<StoredEvent> read_stream(const std::string& nats_url, const std::string& stream = "fooddelivery");

// How many stored events have this type and orderId.
int count_events(const std::vector<StoredEvent>& events, const std::string& type, std::int64_t order_id);

// The durable consumer exists and has nothing pending or unacknowledged.
bool consumer_caught_up(const std::string& nats_url, const std::string& durable,
                        const std::string& stream = "fooddelivery");

}  // namespace fd::test
