#pragma once
#include <cstdint>
#include <string>

namespace platform {

std::int64_t now_ms();
std::int64_t now_s();
// ISO-8601 UTC with milliseconds, e.g. 2026-11-21T23:53:54.123Z.
std::string iso_time(std::int64_t epoch_ms);
// A UUID version 7 (RFC 9562), in its text form: the milliseconds since the epoch, then 74
// random bits. Ids made later sort after, as text too, so that a table's index of them grows
// at its end: a new event's row in every service's inbox (and in its outbox) dirties the same
// few pages as the last one's, which stay cached, instead of a random page of an index the
// size of every event ever taken.
std::string new_id();

}  // namespace platform
