#pragma once
// The Kafka side of looking at the bus from outside (messaging.hpp); stream_inspection.cpp
// chooses it for a kafka:// endpoint.
#include <string>
#include <vector>

#include "platform/messaging.hpp"

namespace platform::kafka_inspection {

std::vector<StoredEvent> read_stream(const BusEndpoint& bus);
StreamMark stream_mark(const BusEndpoint& bus);
ConsumerState consumer_state(const BusEndpoint& bus, const std::string& durable);
void forget_consumer(const BusEndpoint& bus, const std::string& durable);

}  // namespace platform::kafka_inspection
