#pragma once
// The inbox side of a delivery: what the bus's handler does with each delivered event, and the
// dead letters it keeps of the events it gives up on.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "platform/bus.hpp"
#include "platform/db.hpp"
#include "platform/messaging.hpp"

namespace platform {

// Runs each event's reaction in the transaction that records its id in the inbox, so that a
// redelivery has no second effect; a verdict per delivery tells the bus whether to deliver it
// again. The events of a batch are applied in its order, together in one transaction; when
// one of them fails, that transaction is rolled back and each is applied in one of its own;
// after a nak'ed one, the later ones of its Kafka partition are nak'ed unapplied (bus.hpp).
// An event refused for good, or failing on its max_deliver-th delivery, is written to
// fd_dead_letters before it is acknowledged.
std::vector<Verdict> consume(Db& db, const std::map<std::string, Reaction>& reactions,
                             std::span<const Delivery> batch, std::uint64_t max_deliver);

// How many events of the stream (Kafka: of the partition) wait behind the one just delivered,
// for /metrics (fd_consumer_lag); each bus says it for every delivery, also of the events its
// service ignores.
void note_consumer_lag(int partition, std::uint64_t pending);

std::vector<DeadLetter> dead_letters(Db& db);
// Messaging::replay_dead_letters.
std::vector<Replay> replay_dead_letters(Db& db, const std::map<std::string, Reaction>& reactions,
                                        const std::string& id);

}  // namespace platform
