#include "support/stream_reader.hpp"

namespace fd::test {

int count_events(const std::vector<platform::StoredEvent>& events, const std::string& type, std::int64_t order_id) {
  int count = 0;
  for (const auto& event : events) {
    auto* id = event.body.if_contains("orderId");
    if (event.type == type && id && id->is_int64() && id->get_int64() == order_id) ++count;
  }
  return count;
}

bool consumer_caught_up(const std::string& bus_url, const std::string& durable) {
  auto state = platform::consumer_state(bus_url, durable);
  return state.exists && state.pending == 0 && state.unacknowledged == 0;
}

}  // namespace fd::test
