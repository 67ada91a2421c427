#pragma once
// Rebuilding the status view (C2) from the event stream: the view is dropped, the inbox
// emptied, and the service's durable JetStream consumer deleted, so that the next start
// re-creates it from the first event and replays them all into an empty view. The
// notifications are kept: keyed by (order, status), none is queued or sent twice.
#include <string>

#include "platform/db.hpp"

namespace customer {

inline constexpr const char* kServiceName = "customer";  // also the durable consumer's name

// Needs NATS, and the service stopped (its consumer unbound); throws saying why not.
void reset_view(platform::Db& db, const std::string& nats_url);

// `fd-customer --rebuild`, with the service's settings (FD_DB_URL, FD_NATS_URL).
int rebuild_command();

}  // namespace customer
