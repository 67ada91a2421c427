#pragma once
// Idempotent placing, after the IETF draft "The Idempotency-Key HTTP Header Field": a
// customer sends one key with each order and the same key again when it retries, so that a
// retried POST /orders places nothing a second time. A key belongs to its customer (two
// customers may use the same one). No I/O here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/order.hpp"

namespace order {

inline constexpr std::string_view kIdempotencyHeader = "Idempotency-Key";
inline constexpr std::size_t kMaxIdempotencyKey = 255;

// Problem 400 naming the header unless the key is 1 to 255 visible ASCII characters.
void check_idempotency_key(std::string_view key);

// The command as one text: the same for every body that asks for the same order, however
// its JSON was spelled (field order, whitespace, 37.50 or 37.5, the order of the lines).
std::string canonical_text(const PlaceOrder& command);

// What a key remembers from its first request: a hash of that request's canonical text and
// the 201 it was answered with.
struct KeyUse {
  std::string key;
  std::string request_hash;
  std::int64_t order_id = 0;
  std::string answer;  // the 201's JSON body
};

// A request that comes with a key already used: the first answer again when it is the same
// request; Problem 422 when the key was used for another order.
KeyUse repeat(KeyUse first, std::string_view request_hash);

}  // namespace order
