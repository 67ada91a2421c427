#pragma once
// Versioned schema changes. A service keeps its SQL in files schema/NNN_what.sql (the SQL
// that SQLite and PostgreSQL share), embedded into its binary at build time (fd_service in
// services/CMakeLists.txt); at start the platform applies, in order, each one the database
// has not had yet, each in one transaction with its row in fd_schema_migrations.
#include <string>
#include <string_view>
#include <vector>

#include "platform/db.hpp"

namespace platform {

struct Migration {
  int version = 0;   // NNN of the file name
  std::string name;  // the file name, e.g. 002_cancel_pending.sql
  std::string sql;
};

// Returns the migrations applied now (none when the database is up to date). Throws, naming
// the file, when the versions are not 1, 2, 3... or when one fails (the database then stays
// at the version before it); and when the database has a version this build does not know.
std::vector<Migration> migrate(Db& db, const std::vector<Migration>& migrations);

// The platform's own tables (outbox, inbox, revoked tokens): `CREATE TABLE IF NOT EXISTS`
// statements, run in a transaction that replicas starting at once take in turns (the same
// lock as migrate's), since PostgreSQL's IF NOT EXISTS does not hold against a concurrent twin.
void create_tables(Db& db, std::string_view sql);

}  // namespace platform
