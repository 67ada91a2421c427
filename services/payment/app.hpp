#pragma once
// The payment service's adapters: SQL storage, HTTP handlers and event reactions.
#include "platform/service_host.hpp"

namespace payment {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace payment
