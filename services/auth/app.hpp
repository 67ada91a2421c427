#pragma once
// The auth service's adapters: accounts in SQL, Argon2id hashes, login over HTTP.
#include "platform/service_host.hpp"

namespace auth {

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace auth
