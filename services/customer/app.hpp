#pragma once
// The customer service's adapters: the read model's storage, HTTP handlers and reactions.
#include "platform/service_host.hpp"

namespace customer {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace customer
