#pragma once
// The order service's adapters: SQL storage, HTTP handlers and event reactions.
#include "platform/service_host.hpp"

namespace order {

// Adds the routes to the host and returns the reactions to other services' events.
std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace order
