#include "domain/idempotency.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "platform/problem.hpp"

namespace order {

void check_idempotency_key(std::string_view key) {
  const std::string header(kIdempotencyHeader);
  const std::string rule = "; send 1 to " + std::to_string(kMaxIdempotencyKey) +
                           " visible ASCII characters, e.g. a random UUID, one per order";
  if (key.empty()) throw platform::bad_request(header + " is empty" + rule);
  if (key.size() > kMaxIdempotencyKey)
    throw platform::bad_request(header + " has " + std::to_string(key.size()) + " characters" + rule);
  auto invisible = std::find_if(key.begin(), key.end(), [](char c) { return c < '!' || c > '~'; });
  if (invisible != key.end())
    throw platform::bad_request(header + " holds a space, a control or a non-ASCII character at position " +
                                std::to_string(invisible - key.begin() + 1) + rule);
}

std::string canonical_text(const PlaceOrder& command) {
  // A line's menuId appears once (parse_place_order refuses twice), so sorting by it gives
  // one order of the lines.
  auto lines = command.items;
  std::sort(lines.begin(), lines.end());
  boost::json::array items;
  for (const auto& [menu_id, qty] : lines) items.push_back(boost::json::array{menu_id, qty});
  return boost::json::serialize(
      boost::json::array{command.store_id, std::move(items), command.address, command.lat, command.lon});
}

KeyUse repeat(KeyUse first, std::string_view request_hash) {
  if (first.request_hash != request_hash)
    throw platform::Problem(422, "Unprocessable Content",
                            std::string(kIdempotencyHeader) + " " + first.key + " was already used for order " +
                                std::to_string(first.order_id) +
                                " with another request; send a new key for a new order");
  return first;
}

}  // namespace order
