#pragma once
// Rebuilding the status view (C2) from the event stream: the view is emptied, the inbox
// too, and the service's durable JetStream consumer deleted, so that the next start
// re-creates it from the first event and replays them all into an empty view. The
// notifications are kept: keyed by (order, status), none is queued or sent twice.
#include "platform/config.hpp"
#include "platform/db.hpp"

namespace customer {

// Needs NATS (FD_NATS_URL, as the customer identity: FD_NATS_USER, FD_NATS_PASSWORD), and the
// service stopped (its consumer unbound); throws saying why not.
void reset_view(platform::Db& db, const platform::Config& config);

// `fd-customer --rebuild`, with the service's settings (FD_DB_URL, FD_NATS_URL, FD_NATS_USER,
// FD_NATS_PASSWORD).
int rebuild_command();

}  // namespace customer
