#pragma once
// The inbox side of a delivery: what the bus's handler does with each delivered event.
#include <map>
#include <string>

#include "platform/bus.hpp"
#include "platform/db.hpp"
#include "platform/messaging.hpp"

namespace platform {

// Runs the event's reaction in the transaction that records its id in the inbox, so that a
// redelivery has no second effect; the verdict tells the bus whether to deliver it again.
Verdict consume(Db& db, const std::map<std::string, Reaction>& reactions, const Delivery& delivery);

}  // namespace platform
