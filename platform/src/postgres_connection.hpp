#pragma once
// One session with a PostgreSQL server: statements prepared once per session and run with
// positional '?' parameters, results read into the project's Rows. libpq stays in the .cpp.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/db.hpp"

struct pg_conn;
struct pg_result;

namespace platform::postgres {

// A statement PostgreSQL refused, or a session that broke under it.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate, bool connection_lost)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), connection_lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The session is gone, and with it whatever transaction it had open.
  bool connection_lost() const { return connection_lost_; }
  // Serialization failure or deadlock: nothing was committed, and running the same work
  // again may well succeed.
  bool worth_retrying() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

class Connection {
 public:
  // url: a libpq URL; where: "PostgreSQL host:port/database", for messages. Throws
  // std::runtime_error naming `where` when the server cannot be reached.
  Connection(const std::string& url, std::string where);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  struct Result {
    std::vector<Row> rows;
    std::int64_t changed = 0;
  };
  // One statement with '?' parameters, prepared on first use in this session (once per
  // combination of parameter types: integers are bigint, reals double precision, text and
  // NULL take the type their place in the statement gives them).
  Result run(std::string_view sql, const std::vector<Value>& args);
  // Statements without parameters, several at once; returns the last one's command tag
  // ("COMMIT", or "ROLLBACK" when COMMIT found the transaction failed).
  std::string simple(std::string_view sql);

  // Connected and outside any transaction.
  bool idle() const;
  // idle(), and the server has not said goodbye since (a restarted server closes every
  // session; its goodbye waits unread on the socket until someone looks).
  bool usable();
  void close();  // a session left in a state no one should inherit
  const std::string& where() const { return where_; }

 private:
  struct Prepared {
    std::string name;
    std::shared_ptr<const std::vector<std::string>> names;  // read from the first result
  };
  [[noreturn]] void fail(pg_result* result, std::string_view sql);

  pg_conn* conn_ = nullptr;
  std::string where_;
  std::unordered_map<std::string, Prepared> statements_;  // by SQL and parameter types
};

}  // namespace platform::postgres
