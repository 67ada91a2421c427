// What every backend shares: reading a row, and choosing the backend from the URL.
#include <stdexcept>

#include "db_backends.hpp"

namespace platform {

std::int64_t Row::integer(std::size_t i) const {
  const auto& v = values.at(i);
  if (auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  throw std::runtime_error("column " + std::to_string(i) + " is not an integer");
}

double Row::real(std::size_t i) const {
  const auto& v = values.at(i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  throw std::runtime_error("column " + std::to_string(i) + " is not a number");
}

std::string Row::text(std::size_t i) const {
  const auto& v = values.at(i);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (std::holds_alternative<std::nullptr_t>(v)) return {};
  return std::to_string(std::get<double>(v));
}

bool Row::is_null(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(values.at(i)); }

std::size_t Row::index(std::string_view column) const {
  if (names)
    for (std::size_t i = 0; i < names->size(); ++i)
      if ((*names)[i] == column) return i;
  throw std::out_of_range("the query selected no column " + std::string(column));
}

std::optional<Row> Db::query_one(std::string_view sql, const std::vector<Value>& args) {
  auto rows = query(sql, args);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::unique_ptr<Db> open_database(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) return open_sqlite(url.substr(7));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres(url);
  throw std::runtime_error("unsupported database URL '" + url +
                           "' (expected sqlite:<path> or postgresql://user:password@host:port/database)");
}

}  // namespace platform
