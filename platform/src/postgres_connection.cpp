#include "postgres_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "postgres_sql.hpp"

namespace platform::postgres {

namespace {

// Type OIDs (PostgreSQL's catalog/pg_type_d.h, stable across versions).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { PQclear(result); }
};

std::string trimmed(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool session_ended(const std::string& sqlstate) {
  // 08: connection exceptions; 57P01-03: terminated by an administrator, a crash, or a
  // server still starting.
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

Oid type_of(const Value& value) {
  if (std::holds_alternative<std::int64_t>(value)) return kInt8;
  if (std::holds_alternative<double>(value)) return kFloat8;
  return 0;  // text and NULL: the statement decides (a key compared with a BIGINT column)
}

std::string text_of(const Value& value) {
  char buffer[32];
  if (auto* n = std::get_if<std::int64_t>(&value))
    return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, *n).ptr);
  if (auto* d = std::get_if<double>(&value))  // shortest text that reads back as the same double
    return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, *d).ptr);
  return std::get<std::string>(value);
}

Value value_of(const PGresult* result, int row, int column, Oid type) {
  if (PQgetisnull(result, row, column)) return nullptr;
  const char* text = PQgetvalue(result, row, column);
  const char* end = text + PQgetlength(result, row, column);
  switch (type) {
    case kInt2:
    case kInt4:
    case kInt8: {
      std::int64_t n = 0;
      std::from_chars(text, end, n);
      return n;
    }
    case kFloat4:
    case kFloat8:
    case kNumeric: return std::strtod(text, nullptr);  // also reads NaN and Infinity
    case kBool: return std::int64_t{*text == 't'};
    default: return std::string(text, end);
  }
}

}  // namespace

Connection::Connection(const std::string& url, std::string where) : where_(std::move(where)) {
  // Later keywords override earlier ones, and the URL's own parameters override these.
  const char* keywords[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                            "dbname", nullptr};
  const char* values[] = {"5", "10", "5", "3", url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, 1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw DatabaseUnavailable("cannot connect to " + where_ + ": " + message);
  }
  // IF NOT EXISTS and the like report through notices; nobody reads them.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  // Also statements outside a transaction: every write takes part in serializable checking.
  try {
    simple("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  } catch (...) {
    close();
    throw;
  }
}

Connection::~Connection() { close(); }

void Connection::close() {
  PQfinish(conn_);
  conn_ = nullptr;
}

bool Connection::idle() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool Connection::usable() {
  // A goodbye may come as an error message, then the end of the stream: read a few times.
  for (int reads = 0; reads < 4 && idle(); ++reads) {
    pollfd waiting{PQsocket(conn_), POLLIN, 0};
    if (::poll(&waiting, 1, 0) <= 0) return true;
    if (!PQconsumeInput(conn_)) return false;
    while (PGnotify* notification = PQnotifies(conn_)) PQfreemem(notification);
  }
  return idle();
}

void Connection::fail(pg_result* result, std::string_view sql) {
  std::string sqlstate = result ? trimmed(PQresultErrorField(result, PG_DIAG_SQLSTATE)) : "";
  std::string message = result ? trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) : "";
  if (message.empty()) message = trimmed(conn_ ? PQerrorMessage(conn_) : "no connection");
  if (result)
    if (auto detail = trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)); !detail.empty())
      message += " (" + detail + ")";
  bool lost = !conn_ || PQstatus(conn_) != CONNECTION_OK || session_ended(sqlstate);
  PQclear(result);
  throw Error(where_ + ": " + message + (sqlstate.empty() ? "" : " [SQLSTATE " + sqlstate + "]") + " in: " +
                  std::string(sql),
              sqlstate, lost);
}

Connection::Result Connection::run(std::string_view sql, const std::vector<Value>& args) {
  if (!conn_) fail(nullptr, sql);
  std::string key(sql);
  key += '\0';
  std::vector<Oid> types;
  types.reserve(args.size());
  for (const auto& arg : args) {
    types.push_back(type_of(arg));
    key += types.back() == kInt8 ? 'i' : types.back() == kFloat8 ? 'd' : 'u';
  }
  auto it = statements_.find(key);
  if (it == statements_.end()) {
    auto numbered = number_parameters(sql);
    if (numbered.parameters != static_cast<int>(args.size()))
      throw std::logic_error("SQL expects " + std::to_string(numbered.parameters) + " parameters, got " +
                             std::to_string(args.size()) + ": " + std::string(sql));
    std::string name = "fd" + std::to_string(statements_.size());
    PGresult* prepared = PQprepare(conn_, name.c_str(), numbered.sql.c_str(), numbered.parameters, types.data());
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared, sql);
    PQclear(prepared);
    it = statements_.emplace(std::move(key), Prepared{std::move(name), nullptr}).first;
  }
  std::vector<std::string> texts(args.size());
  std::vector<const char*> values(args.size(), nullptr);
  for (std::size_t i = 0; i < args.size(); ++i)
    if (!std::holds_alternative<std::nullptr_t>(args[i])) values[i] = (texts[i] = text_of(args[i])).c_str();
  PGresult* result = PQexecPrepared(conn_, it->second.name.c_str(), static_cast<int>(args.size()), values.data(),
                                    nullptr, nullptr, 0);
  auto status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result, sql);
  ResultGuard guard{result};

  Result out;
  const char* changed = PQcmdTuples(result);
  if (*changed) std::from_chars(changed, changed + std::strlen(changed), out.changed);
  const int columns = PQnfields(result), rows = PQntuples(result);
  if (columns == 0) return out;
  auto& names = it->second.names;
  if (!names) {
    auto read = std::make_shared<std::vector<std::string>>();
    for (int c = 0; c < columns; ++c) read->emplace_back(PQfname(result, c));
    names = std::move(read);
  }
  std::vector<Oid> column_types(columns);
  for (int c = 0; c < columns; ++c) column_types[c] = PQftype(result, c);
  out.rows.reserve(rows);
  for (int r = 0; r < rows; ++r) {
    Row row;
    row.names = names;
    row.values.reserve(columns);
    for (int c = 0; c < columns; ++c) row.values.push_back(value_of(result, r, c, column_types[c]));
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::string Connection::simple(std::string_view sql) {
  if (!conn_) fail(nullptr, sql);
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  ResultGuard guard{result};
  return PQcmdStatus(result);
}

}  // namespace platform::postgres
