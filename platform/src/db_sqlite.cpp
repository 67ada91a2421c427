#include <sqlite3.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "db_backends.hpp"

namespace platform {

namespace {

// One connection shared by the service's threads: SQLite serialises writers anyway, and a
// recursive lock lets a transaction's work call query/exec on the same object.
class SqliteDb final : public Db {
 public:
  explicit SqliteDb(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        wal_frames_together_vfs()) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
    // WAL + NORMAL survives a killed process; FULL (FD_SQLITE_SYNC) also survives power loss.
    const char* sync = std::getenv("FD_SQLITE_SYNC");
    script(std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=") +
           (sync && *sync ? sync : "NORMAL") + ";");
  }

  ~SqliteDb() override {
    for (auto& [sql, prepared] : statements_) sqlite3_finalize(prepared.statement);
    sqlite3_close(db_);
  }

  bool commits_in_key_order() const override { return true; }

  void script(std::string_view sql) override {
    std::lock_guard lock(mutex_);
    char* error = nullptr;
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw std::runtime_error("SQL script failed on " + path_ + ": " + message);
    }
  }

  std::int64_t exec(std::string_view sql, const std::vector<Value>& args) override {
    std::lock_guard lock(mutex_);
    auto* statement = prepare(sql, args).statement;
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE) fail(sql);
    if (depth_ == 0) listeners_.notify();
    return sqlite3_changes(db_);
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& args) override {
    std::lock_guard lock(mutex_);
    const auto& prepared = prepare(sql, args);
    auto* statement = prepared.statement;
    std::vector<Row> rows;
    int columns = sqlite3_column_count(statement);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      Row row;
      row.names = prepared.names;
      row.values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(statement, c)) {
          case SQLITE_INTEGER: row.values.emplace_back(std::int64_t{sqlite3_column_int64(statement, c)}); break;
          case SQLITE_FLOAT: row.values.emplace_back(sqlite3_column_double(statement, c)); break;
          case SQLITE_NULL: row.values.emplace_back(nullptr); break;
          default:
            row.values.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, c)),
                                                sqlite3_column_bytes(statement, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE) fail(sql);
    return rows;
  }

  void transaction(const std::function<void(Db&)>& work) override {
    std::unique_lock lock(mutex_);
    if (depth_ > 0) throw std::logic_error("nested transaction on " + path_);
    run("BEGIN IMMEDIATE");
    ++depth_;
    try {
      work(*this);
      --depth_;
      run("COMMIT");
    } catch (...) {
      depth_ = 0;
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);  // fails harmlessly if COMMIT already ended it
      throw;
    }
    lock.unlock();
    listeners_.notify();
  }

  void on_commit(std::function<void()> listener) override { listeners_.add(std::move(listener)); }

  // BEGIN IMMEDIATE already makes every write transaction the only one.
  void lock(std::string_view) override {}

  std::int64_t next_id(std::string_view table, std::string_view column) override {
    auto sql = "SELECT COALESCE(MAX(" + std::string(column) + "), 0) + 1 AS next_id FROM " + std::string(table);
    return query_one(sql)->integer("next_id");
  }

  // One process owns a SQLite file: it always leads.
  std::unique_ptr<Lease> try_lead(const std::string&) override {
    struct Sole final : Lease {
      bool held() override { return true; }
    };
    return std::make_unique<Sole>();
  }

 private:
  void run(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }

  [[noreturn]] void fail(std::string_view sql) {
    throw std::runtime_error("SQL failed on " + path_ + ": " + sqlite3_errmsg(db_) + " [" + std::string(sql) + "]");
  }

  // A statement is prepared once; its result's column names are read then, and shared by
  // every row it ever returns.
  struct Prepared {
    sqlite3_stmt* statement = nullptr;
    std::shared_ptr<const std::vector<std::string>> names;
  };

  const Prepared& prepare(std::string_view sql, const std::vector<Value>& args) {
    auto key = std::string(sql);
    auto it = statements_.find(key);
    if (it == statements_.end()) {
      sqlite3_stmt* created = nullptr;
      if (sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &created,
                             nullptr) != SQLITE_OK)
        fail(sql);
      auto names = std::make_shared<std::vector<std::string>>();
      for (int c = 0; c < sqlite3_column_count(created); ++c) names->emplace_back(sqlite3_column_name(created, c));
      it = statements_.emplace(std::move(key), Prepared{created, std::move(names)}).first;
    }
    auto* statement = it->second.statement;
    sqlite3_clear_bindings(statement);
    if (static_cast<int>(args.size()) != sqlite3_bind_parameter_count(statement))
      throw std::logic_error("SQL expects " + std::to_string(sqlite3_bind_parameter_count(statement)) +
                             " parameters, got " + std::to_string(args.size()) + ": " + std::string(sql));
    for (std::size_t i = 0; i < args.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) sqlite3_bind_null(statement, index);
            else if constexpr (std::is_same_v<T, std::int64_t>) sqlite3_bind_int64(statement, index, v);
            else if constexpr (std::is_same_v<T, double>) sqlite3_bind_double(statement, index, v);
            else sqlite3_bind_text(statement, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
          },
          args[i]);
    }
    return it->second;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mutex_;
  int depth_ = 0;
  std::unordered_map<std::string, Prepared> statements_;
  CommitListeners listeners_;
};

}  // namespace

std::unique_ptr<Db> open_sqlite(const std::string& path) { return std::make_unique<SqliteDb>(path); }

}  // namespace platform
