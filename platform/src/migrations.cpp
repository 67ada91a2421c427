#include "platform/migrations.hpp"

#include <stdexcept>

#include "platform/clock.hpp"

namespace platform {

std::vector<Migration> migrate(Db& db, const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i)
    if (migrations[i].version != static_cast<int>(i) + 1)
      throw std::invalid_argument("schema migration " + migrations[i].name + " should be number " +
                                  std::to_string(i + 1) + ": versions run 1, 2, 3... without gaps");
  db.script(
      "CREATE TABLE IF NOT EXISTS fd_schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);");
  auto current = db.query_one("SELECT COALESCE(MAX(version), 0) AS version FROM fd_schema_migrations")->integer("version");
  if (current > static_cast<std::int64_t>(migrations.size()))
    throw std::runtime_error("the database is at schema version " + std::to_string(current) +
                             ", newer than this build knows (" + std::to_string(migrations.size()) +
                             "): run the build that wrote it");
  std::vector<Migration> applied;
  for (auto next = static_cast<std::size_t>(current); next < migrations.size(); ++next) {
    const auto& migration = migrations[next];
    try {
      db.transaction([&](Db& tx) {
        tx.script(migration.sql);
        tx.exec("INSERT INTO fd_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                {std::int64_t{migration.version}, migration.name, now_ms()});
      });
    } catch (const std::exception& error) {
      throw std::runtime_error("schema migration " + migration.name + " failed: " + error.what());
    }
    applied.push_back(migration);
  }
  return applied;
}

}  // namespace platform
