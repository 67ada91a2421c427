#pragma once
// The database seam: SQL with positional '?' parameters, one transaction at a time.
// SQLite today (url "sqlite:<path>"); the interface keeps PostgreSQL possible.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace platform {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

struct Row {
  std::vector<Value> values;
  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  std::string text(std::size_t i) const;
  bool is_null(std::size_t i) const;
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
};

std::unique_ptr<Db> open_database(const std::string& url);

}  // namespace platform
