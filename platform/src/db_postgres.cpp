// PostgreSQL behind Db, for replicas sharing one database: a pool of sessions, serializable
// transactions run again when PostgreSQL refuses to serialize them, sequences for keys,
// advisory locks for schema changes and leadership.
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

#include "db_backends.hpp"
#include "postgres_connection.hpp"
#include "postgres_sql.hpp"

namespace platform {

namespace {

using postgres::Connection;
using postgres::Error;

constexpr std::size_t kDefaultPoolSize = 4;
constexpr int kMaxAttempts = 20;  // of a transaction PostgreSQL could not serialize
constexpr auto kPoolWait = std::chrono::seconds(30);
constexpr auto kLeaseCheckEvery = std::chrono::seconds(1);

// Where the database is, said without the password: "PostgreSQL 127.0.0.1:5433/order".
std::string describe(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    throw std::invalid_argument("invalid PostgreSQL URL: " + message);
  }
  std::string host, port, database;
  for (auto* option = options; option->keyword; ++option) {
    std::string_view keyword = option->keyword;
    std::string value = option->val ? option->val : "";
    if (keyword == "host") host = value;
    else if (keyword == "port") port = value;
    else if (keyword == "dbname") database = value;
  }
  PQconninfoFree(options);
  return "PostgreSQL " + (host.empty() ? std::string("localhost") : host) + ":" + (port.empty() ? "5432" : port) +
         "/" + database;
}

// The URL without our own `pool=N` (libpq refuses parameters it does not know), and N.
std::pair<std::string, std::size_t> take_pool_size(const std::string& url) {
  auto question = url.find('?');
  if (question == std::string::npos) return {url, kDefaultPoolSize};
  std::string kept = url.substr(0, question);
  std::size_t size = kDefaultPoolSize;
  char separator = '?';
  for (std::size_t at = question + 1; at <= url.size();) {
    auto end = std::min(url.find('&', at), url.size());
    auto parameter = url.substr(at, end - at);
    if (parameter.rfind("pool=", 0) == 0) {
      try {
        size = std::stoul(parameter.substr(5));
      } catch (const std::exception&) {
        size = 0;
      }
      if (size < 1 || size > 1000)
        throw std::invalid_argument("PostgreSQL URL: pool=" + parameter.substr(5) + " is not a size from 1 to 1000");
    } else if (!parameter.empty()) {
      kept += separator + parameter;
      separator = '&';
    }
    at = end + 1;
  }
  return {kept, size};
}

void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  auto ceiling = std::min(500 << std::min(attempt, 7), 50'000);  // microseconds
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, ceiling)(random)));
}

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Sessions opened when first needed, up to a size; one found broken is dropped for a new one.
class Pool {
 public:
  Pool(std::string url, std::string where, std::size_t size)
      : url_(std::move(url)), where_(std::move(where)), size_(size) {}

  // A session lent to one caller, given back when it goes away.
  class Borrowed {
   public:
    Borrowed(Pool& pool, std::unique_ptr<Connection> connection) : pool_(pool), connection_(std::move(connection)) {}
    ~Borrowed() { pool_.give_back(std::move(connection_)); }
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool& pool_;
    std::unique_ptr<Connection> connection_;
  };

  Borrowed borrow() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!cv_.wait_for(lock, kPoolWait, [&] { return !idle_.empty() || open_ < size_; }))
        throw std::runtime_error(where_ + ": all " + std::to_string(size_) + " connections busy for " +
                                 std::to_string(kPoolWait.count()) + " s");
      if (idle_.empty()) break;
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->usable()) return Borrowed(*this, std::move(connection));
      --open_;  // the server restarted or ended it: open a new one in its place
    }
    ++open_;
    lock.unlock();
    try {
      return Borrowed(*this, open());
    } catch (...) {
      lock.lock();
      --open_;
      cv_.notify_one();
      throw;
    }
  }

  // A session of its own, outside the pool (a lease's, or a schema change beside a
  // transaction that holds a pooled one).
  std::unique_ptr<Connection> open() const { return std::make_unique<Connection>(url_, where_); }

  const std::string& where() const { return where_; }

 private:
  void give_back(std::unique_ptr<Connection> connection) {
    {
      std::lock_guard lock(mutex_);
      if (connection && connection->idle()) idle_.push_back(std::move(connection));
      else --open_;
    }
    cv_.notify_one();
  }

  const std::string url_, where_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle and lent
};

// A session advisory lock on a session of its own: the server frees it when the session ends.
class SessionLease final : public Db::Lease {
 public:
  explicit SessionLease(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

  bool held() override {
    std::lock_guard lock(mutex_);
    if (!connection_) return false;
    bool alive = connection_->usable();
    auto now = std::chrono::steady_clock::now();
    if (alive && now - checked_ >= kLeaseCheckEvery) {
      // Only a round trip tells a server that vanished without closing the socket.
      try {
        connection_->simple("SELECT 1");
        checked_ = now;
      } catch (const std::exception&) {
        alive = false;
      }
    }
    if (!alive) connection_.reset();  // lost for good: another process may lead by now
    return alive;
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
  std::chrono::steady_clock::time_point checked_ = std::chrono::steady_clock::now();
};

class PostgresDb;

// The Db that a transaction's work receives: every statement on the transaction's session.
// BEGIN waits for the first statement, so that a lock taken first is held before the
// transaction's snapshot is (see lock).
class TransactionDb final : public Db {
 public:
  TransactionDb(PostgresDb& owner, Connection& connection) : owner_(owner), connection_(connection) {}

  void script(std::string_view sql) override {
    guarded([&] {
      begin();
      connection_.simple(postgres::schema_in_postgres_words(sql));
    });
  }
  std::int64_t exec(std::string_view sql, const std::vector<Value>& args) override {
    return guarded([&] {
      begin();
      return connection_.run(sql, args).changed;
    });
  }
  std::vector<Row> query(std::string_view sql, const std::vector<Value>& args) override {
    return guarded([&] {
      begin();
      return connection_.run(sql, args).rows;
    });
  }
  void transaction(const std::function<void(Db&)>&) override {
    throw std::logic_error("nested transaction on " + connection_.where());
  }
  void on_commit(std::function<void()> listener) override;
  std::unique_ptr<Lease> try_lead(const std::string& name) override;
  std::int64_t next_id(std::string_view table, std::string_view column) override;

  void lock(std::string_view name) override {
    const std::vector<Value> key{std::string(name)};
    if (begun_) {
      guarded([&] { connection_.run("SELECT pg_advisory_xact_lock(hashtext(?))", key); });
      return;
    }
    // A serializable transaction reads as of its first statement: waiting for the lock
    // inside it would read as of before the previous holder committed. So wait outside,
    // on the session, then hand the lock over to the transaction.
    guarded([&] {
      connection_.run("SELECT pg_advisory_lock(hashtext(?))", key);
      try {
        begin();
        connection_.run("SELECT pg_advisory_xact_lock(hashtext(?))", key);
        connection_.run("SELECT pg_advisory_unlock(hashtext(?))", key);
      } catch (...) {
        connection_.close();  // never lend out a session still holding the lock
        throw;
      }
    });
  }

  void commit() {
    if (!begun_) return;
    committing_ = true;
    auto tag = guarded([&] { return connection_.simple("COMMIT"); });
    if (tag != "COMMIT") {
      if (failure_) throw *failure_;  // the work caught a failed statement and went on
      throw std::runtime_error(connection_.where() + ": the transaction was rolled back at COMMIT (" + tag + ")");
    }
  }

  // After a failure: the session goes back to the pool clean, or not at all.
  void roll_back() noexcept {
    if (!begun_ || connection_.idle()) return;
    try {
      connection_.simple("ROLLBACK");
    } catch (...) {
      connection_.close();
    }
  }

  // Whether running the work again is safe and may succeed.
  bool worth_retrying() const {
    if (!failure_) return false;
    if (failure_->worth_retrying()) return true;
    // A session lost before COMMIT was sent took its transaction with it; one lost while
    // COMMIT was on its way leaves unknown whether it committed.
    return failure_->connection_lost() && !failed_committing_;
  }
  bool outcome_unknown() const { return failure_ && failure_->connection_lost() && failed_committing_; }
  const std::optional<Error>& failure() const { return failure_; }

 private:
  void begin() {
    if (begun_) return;
    connection_.simple("BEGIN ISOLATION LEVEL SERIALIZABLE");
    begun_ = true;
  }

  // Remembers the first failure even when the work catches it: a transaction whose
  // statement failed cannot commit, and whether to run it again depends on that failure.
  template <class F>
  auto guarded(F&& statement) -> decltype(statement()) {
    try {
      return statement();
    } catch (const Error& error) {
      if (!failure_) {
        failure_ = error;
        failed_committing_ = committing_;
      }
      throw;
    }
  }

  PostgresDb& owner_;
  Connection& connection_;
  bool begun_ = false;
  bool committing_ = false;
  std::optional<Error> failure_;  // the first
  bool failed_committing_ = false;
};

class PostgresDb final : public Db {
 public:
  PostgresDb(std::string url, std::string where, std::size_t pool_size)
      : pool_(std::move(url), std::move(where), pool_size) {}

  void script(std::string_view sql) override {
    if (auto* tx = current()) return tx->script(sql);
    alone(Kind::Write, [&](Connection& connection) { connection.simple(postgres::schema_in_postgres_words(sql)); });
  }

  std::int64_t exec(std::string_view sql, const std::vector<Value>& args) override {
    if (auto* tx = current()) return tx->exec(sql, args);
    auto changed = alone(Kind::Write, [&](Connection& connection) { return connection.run(sql, args).changed; });
    listeners_.notify();
    return changed;
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& args) override {
    if (auto* tx = current()) return tx->query(sql, args);
    return alone(Kind::Read, [&](Connection& connection) { return connection.run(sql, args).rows; });
  }

  void transaction(const std::function<void(Db&)>& work) override {
    if (current()) throw std::logic_error("nested transaction on " + pool_.where());
    for (int attempt = 1;; ++attempt) {
      {
        auto connection = pool_.borrow();
        TransactionDb tx(*this, *connection);
        try {
          {
            Route route(*this, tx);
            work(tx);
          }
          tx.commit();
          break;
        } catch (...) {
          tx.roll_back();
          if (tx.outcome_unknown())
            throw DatabaseUnavailable(pool_.where() + ": the connection broke while COMMIT was on its way, so " +
                                      "whether the transaction committed is unknown: " + tx.failure()->what());
          if (!tx.worth_retrying()) throw;
          if (attempt == kMaxAttempts)
            throw std::runtime_error(pool_.where() + ": transaction gave up after " + std::to_string(attempt) +
                                     " attempts; the last: " + tx.failure()->what());
        }
      }
      back_off(attempt);
    }
    listeners_.notify();
  }

  void on_commit(std::function<void()> listener) override { listeners_.add(std::move(listener)); }

  void lock(std::string_view name) override {
    if (auto* tx = current()) return tx->lock(name);
    throw std::logic_error("lock(" + std::string(name) + ") outside a transaction on " + pool_.where() +
                           ": it would be released at once");
  }

  std::int64_t next_id(std::string_view table, std::string_view column) override {
    if (auto* tx = current()) return tx->next_id(table, column);
    return query_one(sequence_of(table, column))->integer(0);
  }

  // "SELECT nextval(...)" of the sequence behind table.column, created on first use.
  std::string sequence_of(std::string_view table, std::string_view column) {
    if (!is_identifier(table) || !is_identifier(column))
      throw std::invalid_argument("next_id: '" + std::string(table) + "." + std::string(column) +
                                  "' is not a plain table and column name");
    std::string sequence = std::string(table) + "_" + std::string(column) + "_fd_seq";
    std::lock_guard lock(sequences_mutex_);
    if (!sequences_.count(sequence)) {
      // On a session of its own and committed at once: the caller's transaction may roll
      // back, the sequence stays. Replicas creating it at once take turns; the first
      // starts it after the keys the table already has.
      auto connection = pool_.open();
      connection->simple("BEGIN ISOLATION LEVEL READ COMMITTED");
      connection->run("SELECT pg_advisory_xact_lock(hashtext('fd_sequences'))", {});
      if (connection->run("SELECT to_regclass(?) IS NULL AS missing", {sequence}).rows.at(0).integer(0)) {
        auto start = connection->run("SELECT COALESCE(MAX(" + std::string(column) + "), 0) + 1 FROM " +
                                         std::string(table), {}).rows.at(0).integer(0);
        connection->simple("CREATE SEQUENCE " + sequence + " START WITH " + std::to_string(start) + " OWNED BY " +
                           std::string(table) + "." + std::string(column));
      }
      connection->simple("COMMIT");
      sequences_.insert(sequence);
    }
    return "SELECT nextval('" + sequence + "') AS next_id";
  }

  std::unique_ptr<Lease> try_lead(const std::string& name) override {
    // A replica that does not lead asks again and again: it keeps its session for the next try.
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard lock(candidates_mutex_);
      if (auto kept = candidates_.find(name); kept != candidates_.end()) {
        connection = std::move(kept->second);
        candidates_.erase(kept);
      }
    }
    if (!connection || !connection->usable()) connection = pool_.open();
    if (!connection->run("SELECT pg_try_advisory_lock(hashtext(?)) AS held", {name}).rows.at(0).integer(0)) {
      std::lock_guard lock(candidates_mutex_);
      candidates_[name] = std::move(connection);
      return nullptr;
    }
    return std::make_unique<SessionLease>(std::move(connection));
  }

 private:
  // While this thread runs a transaction of this Db, calls on the Db itself (not on the
  // transaction's `tx`) join that transaction rather than wait for a session of their own.
  struct Route {
    Route(const PostgresDb& db, TransactionDb& tx) { routes.push_back({&db, &tx}); }
    ~Route() { routes.pop_back(); }
    Route(const Route&) = delete;
    Route& operator=(const Route&) = delete;
    struct Entry {
      const PostgresDb* db;
      TransactionDb* tx;
    };
    static thread_local std::vector<Entry> routes;
  };

  TransactionDb* current() const {
    for (const auto& entry : Route::routes)
      if (entry.db == this) return entry.tx;
    return nullptr;
  }

  // One statement in a transaction of its own: run again when PostgreSQL could not
  // serialize it (it then changed nothing). A session that broke under it (PostgreSQL
  // restarting): a read is asked again on a new session; a write may or may not have
  // happened, and the caller is told the database was away.
  enum class Kind { Read, Write };
  template <class F>
  auto alone(Kind kind, F&& statement) -> decltype(statement(std::declval<Connection&>())) {
    for (int attempt = 1;; ++attempt) {
      auto connection = pool_.borrow();
      try {
        return statement(*connection);
      } catch (const Error& error) {
        if (error.connection_lost() && (kind == Kind::Write || attempt > 1)) throw DatabaseUnavailable(error.what());
        if (!error.connection_lost() && (!error.worth_retrying() || attempt == kMaxAttempts)) throw;
      }
      back_off(attempt);
    }
  }

  Pool pool_;
  CommitListeners listeners_;
  std::mutex sequences_mutex_;
  std::unordered_set<std::string> sequences_;  // known to exist
  std::mutex candidates_mutex_;
  std::map<std::string, std::unique_ptr<Connection>> candidates_;  // lease name → the session that asked last
};

thread_local std::vector<PostgresDb::Route::Entry> PostgresDb::Route::routes;

void TransactionDb::on_commit(std::function<void()> listener) { owner_.on_commit(std::move(listener)); }

std::unique_ptr<Db::Lease> TransactionDb::try_lead(const std::string& name) { return owner_.try_lead(name); }

std::int64_t TransactionDb::next_id(std::string_view table, std::string_view column) {
  auto sql = owner_.sequence_of(table, column);
  return query_one(sql)->integer(0);
}

}  // namespace

std::unique_ptr<Db> open_postgres(const std::string& url) {
  auto [libpq_url, pool_size] = take_pool_size(url);
  auto where = describe(libpq_url);
  return std::make_unique<PostgresDb>(std::move(libpq_url), std::move(where), pool_size);
}

}  // namespace platform
