#pragma once
// Counting what the stream holds (platform::read_stream) and whether a consumer caught up.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/messaging.hpp"

namespace fd::test {

// How many stored events have this type and orderId.
int count_events(const std::vector<platform::StoredEvent>& events, const std::string& type, std::int64_t order_id);

// The durable consumer (JetStream) or consumer group (Kafka) exists and has nothing pending
// or unacknowledged.
bool consumer_caught_up(const std::string& bus_url, const std::string& durable);

}  // namespace fd::test
