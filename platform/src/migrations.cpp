#include "platform/migrations.hpp"

#include <stdexcept>

#include "platform/clock.hpp"

namespace platform {

namespace {
constexpr const char* kSchemaLock = "fd_schema";
}  // namespace

void create_tables(Db& db, std::string_view sql) {
  db.transaction([sql](Db& tx) {
    tx.lock(kSchemaLock);
    tx.script(sql);
  });
}

std::vector<Migration> migrate(Db& db, const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i)
    if (migrations[i].version != static_cast<int>(i) + 1)
      throw std::invalid_argument("schema migration " + migrations[i].name + " should be number " +
                                  std::to_string(i + 1) + ": versions run 1, 2, 3... without gaps");
  // Replicas starting at once take turns (the lock), and each reads the version the one
  // before it left, so every migration is applied once.
  std::vector<Migration> applied;
  for (;;) {
    const Migration* step = nullptr;
    try {
      db.transaction([&](Db& tx) {
        step = nullptr;
        tx.lock(kSchemaLock);
        tx.script(
            "CREATE TABLE IF NOT EXISTS fd_schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);");
        auto current =
            tx.query_one("SELECT COALESCE(MAX(version), 0) AS version FROM fd_schema_migrations")->integer("version");
        if (current > static_cast<std::int64_t>(migrations.size()))
          throw std::runtime_error("the database is at schema version " + std::to_string(current) +
                                   ", newer than this build knows (" + std::to_string(migrations.size()) +
                                   "): run the build that wrote it");
        if (current == static_cast<std::int64_t>(migrations.size())) return;
        step = &migrations[current];
        tx.script(step->sql);
        tx.exec("INSERT INTO fd_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                {std::int64_t{step->version}, step->name, now_ms()});
      });
    } catch (const std::exception& error) {
      if (!step) throw;
      throw std::runtime_error("schema migration " + step->name + " failed: " + error.what());
    }
    if (!step) break;
    applied.push_back(*step);
  }
  return applied;
}

}  // namespace platform
