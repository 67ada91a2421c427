#pragma once
// For code that opens a NATS connection of its own (the bus, the stream inspection, the
// events tool): logging in as an identity, and saying clearly why a connection failed.
// Needs libnats (PkgConfig::NATS) on the include path.
#include <nats/nats.h>

#include <string>

#include "platform/messaging.hpp"

namespace platform {

// Sets the endpoint's servers (every URL of its list), its user and password, and its
// identity's inbox prefix (bus_access.hpp), where the replies to its requests come and only
// it may listen. Throws std::invalid_argument for an empty URL list or an identity that
// cannot name an inbox.
natsStatus use_endpoint(natsOptions* options, const NatsEndpoint& endpoint);

// "<status text>: <detail>", without libnats' "(file.c:123): " prefix or a repeated status text.
std::string nats_error(natsStatus status);

// Why a connection to the endpoint failed, as a sentence: a refused login names the
// identity (never the password) and the settings to check.
std::string connect_error(natsStatus status, const NatsEndpoint& endpoint);

}  // namespace platform
