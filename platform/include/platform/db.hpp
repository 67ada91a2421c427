#pragma once
// The database seam: SQL with positional '?' parameters. Two backends: SQLite
// ("sqlite:<path>", the embedded default: one process per file) and PostgreSQL
// ("postgresql://user:password@host:port/database", which several replicas of a service
// share). Schema scripts are written in SQLite's words (INTEGER, REAL, INTEGER PRIMARY KEY
// AUTOINCREMENT); PostgreSQL reads them as 64-bit integers, double precision and identity.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace platform {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// The database server cannot be reached (down, restarting), or went away under a write, or
// while a COMMIT was on its way (whether it committed is unknown): the same call may succeed
// in a moment. An HTTP request meeting it answers 503 with Retry-After; a client retrying a
// command that must happen once sends its Idempotency-Key again.
struct DatabaseUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One result row. Columns are read by name (as the query's select list or AS names them);
// reading by position is left for the platform's own tables.
struct Row {
  std::vector<Value> values;
  std::shared_ptr<const std::vector<std::string>> names;  // shared by every row of one result

  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  std::string text(std::size_t i) const;  // NULL reads as ""
  bool is_null(std::size_t i) const;

  // Throws std::out_of_range naming the column when the query did not select it.
  std::int64_t integer(std::string_view column) const { return integer(index(column)); }
  double real(std::string_view column) const { return real(index(column)); }
  std::string text(std::string_view column) const { return text(index(column)); }
  bool is_null(std::string_view column) const { return is_null(index(column)); }
  std::size_t index(std::string_view column) const;
};

class Db {
 public:
  virtual ~Db() = default;
  // Runs several statements without parameters (schema).
  virtual void script(std::string_view sql) = 0;
  // Returns the number of rows changed.
  virtual std::int64_t exec(std::string_view sql, const std::vector<Value>& args = {}) = 0;
  virtual std::vector<Row> query(std::string_view sql, const std::vector<Value>& args = {}) = 0;
  std::optional<Row> query_one(std::string_view sql, const std::vector<Value>& args = {});

  // Runs work in one write transaction: commits on return, rolls back on exception
  // (which propagates). Listeners run after every commit.
  virtual void transaction(const std::function<void(Db&)>& work) = 0;
  virtual void on_commit(std::function<void()> listener) = 0;

  // Inside a transaction: waits until no other transaction holds `name`, then holds it until
  // this one ends (replicas starting at once migrate one after the other).
  virtual void lock(std::string_view name) = 0;

  // Inside a transaction: a new key for table.column, never handed out twice, also not to
  // another replica's concurrent transaction (a sequence; SQLite's single writer reads MAX + 1).
  virtual std::int64_t next_id(std::string_view table, std::string_view column) = 0;

  // Whether the rows of an AUTOINCREMENT key become visible in the order of their keys: so
  // with SQLite's one writer at a time; not with PostgreSQL, whose concurrent transactions may
  // commit a lower key after a higher one is seen.
  virtual bool commits_in_key_order() const { return false; }

  // Leadership among the processes sharing this database: at most one holds a lease of a
  // name at a time, and a lease ends with its holder (a killed replica's lease frees itself).
  class Lease {
   public:
    virtual ~Lease() = default;
    // False once the lease is lost (its connection broke): stop leading.
    virtual bool held() = 0;
  };
  // The lease, or nullptr while another process holds it.
  virtual std::unique_ptr<Lease> try_lead(const std::string& name) = 0;
};

std::unique_ptr<Db> open_database(const std::string& url);

}  // namespace platform
