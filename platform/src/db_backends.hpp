#pragma once
// The two implementations of Db, chosen by open_database from the URL's scheme.
#include <memory>
#include <string>

#include "platform/db.hpp"

namespace platform {

std::unique_ptr<Db> open_sqlite(const std::string& path);
// url: postgresql://user:password@host:port/database[?pool=N&<libpq parameters>]
std::unique_ptr<Db> open_postgres(const std::string& url);

}  // namespace platform
