#pragma once
// The rider service's adapters: SQL storage, HTTP handlers and event reactions.
#include "platform/service_host.hpp"

namespace rider {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace rider
