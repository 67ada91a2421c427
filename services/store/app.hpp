#pragma once
// The store service's adapters: SQL storage, HTTP handlers and event reactions.
#include "platform/service_host.hpp"

namespace store {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace store
