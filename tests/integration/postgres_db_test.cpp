// The Db seam against a real PostgreSQL 15: what the services' SQL needs of it, and what
// replicas sharing one database need (each replica is its own Db object, as its own process
// would have).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <latch>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/postgres_server.hpp"
#include "platform/db.hpp"
#include "platform/messaging.hpp"
#include "platform/migrations.hpp"
#include "platform/trace.hpp"

namespace {

using namespace std::chrono_literals;
using platform::Db;
using platform::Value;

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return predicate();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// Runs each function on a thread of its own, all released at once.
void at_once(const std::vector<std::function<void()>>& bodies) {
  std::latch ready(static_cast<std::ptrdiff_t>(bodies.size()));
  std::vector<std::exception_ptr> failures(bodies.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < bodies.size(); ++i)
    threads.emplace_back([&, i] {
      ready.arrive_and_wait();
      try {
        bodies[i]();
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
  for (auto& thread : threads) thread.join();
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

std::int64_t count(Db& db, const std::string& table) {
  return db.query_one("SELECT COUNT(*) AS n FROM " + table)->integer("n");
}

class PostgresDbTest : public ::testing::Test {
 protected:
  PostgresDbTest() : url(server.create_database("fd_test")), db(platform::open_database(url)) {}

  fd::test::PostgresServer server;
  std::string url;
  std::unique_ptr<Db> db;
};

TEST_F(PostgresDbTest, QuestionMarksAreParametersOutsideLiteralsQuotedNamesAndComments) {
  auto row = db->query_one(
      "SELECT ? AS first, '?' AS literal, 'it''s ?' AS doubled, ? AS \"second?\" -- ? not a parameter\n"
      ", /* ? */ ? AS third",
      {std::string("a"), std::string("b"), std::int64_t{3}});
  EXPECT_EQ(row->text("first"), "a");
  EXPECT_EQ(row->text("literal"), "?");
  EXPECT_EQ(row->text("doubled"), "it's ?");
  EXPECT_EQ(row->text("second?"), "b");
  EXPECT_EQ(row->integer("third"), 3);
  EXPECT_THROW(db->query("SELECT ? AS one", {}), std::logic_error);
}

TEST_F(PostgresDbTest, UrlsNamePostgresEitherWayAndMaySizeThePool) {
  auto short_scheme = "postgres://" + url.substr(std::string("postgresql://").size());
  EXPECT_EQ(platform::open_database(short_scheme + "?pool=2")->query_one("SELECT 1 AS one")->integer("one"), 1);
  EXPECT_THROW(platform::open_database(url + "?pool=0"), std::invalid_argument);
  try {
    platform::open_database(url + "x")->query("SELECT 1");
    FAIL() << "a database that does not exist should throw";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/fd_testx"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("fd-test-secret"), std::string::npos) << "the password leaked";
  }
}

TEST_F(PostgresDbTest, ValuesKeepTheirTypeAndPrecision) {
  db->script("CREATE TABLE samples (id INTEGER PRIMARY KEY, big INTEGER, place REAL, note TEXT, missing TEXT)");
  const std::int64_t big = 5'000'000'000'123;  // beyond 2^31, like a timestamp in ms
  const std::string note = "it's \"quoted\" — 서울 떡볶이 🍜";
  db->exec("INSERT INTO samples (id, big, place, note, missing) VALUES (?, ?, ?, ?, ?)",
           {std::int64_t{1}, big, 37.5665123, note, nullptr});
  auto row = db->query_one("SELECT big, place, note, missing FROM samples WHERE id = ?", {std::int64_t{1}});
  ASSERT_TRUE(row);
  EXPECT_EQ(std::get<std::int64_t>(row->values[0]), big);
  EXPECT_EQ(std::get<double>(row->values[1]), 37.5665123);
  EXPECT_EQ(row->text("note"), note);
  EXPECT_TRUE(row->is_null("missing"));

  // A key that arrives as text still finds its BIGINT row; averages and truths are numbers.
  EXPECT_TRUE(db->query_one("SELECT id FROM samples WHERE id = ?", {std::string("1")}));
  auto computed = db->query_one("SELECT AVG(big) AS mean, COUNT(*) AS n, big > 0 AS positive FROM samples GROUP BY big");
  EXPECT_EQ(computed->real("mean"), static_cast<double>(big));
  EXPECT_EQ(std::get<std::int64_t>(computed->values[1]), 1);
  EXPECT_EQ(std::get<std::int64_t>(computed->values[2]), 1);
  EXPECT_THROW(computed->integer("no_such_column"), std::out_of_range);
}

TEST_F(PostgresDbTest, SchemaScriptsInSqliteWordsGetSixtyFourBitIntegersAndDoubles) {
  db->script(
      "CREATE TABLE IF NOT EXISTS positions (\n"
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- REAL words in a comment stay\n"
      "  at INTEGER NOT NULL, lat REAL NOT NULL, lon real NOT NULL, kind TEXT DEFAULT 'INTEGER REAL');\n"
      "CREATE INDEX IF NOT EXISTS positions_by_time ON positions (at);\n"
      "ALTER TABLE positions ADD COLUMN rider TEXT;");
  db->exec("INSERT INTO positions (at, lat, lon) VALUES (?, ?, ?)", {std::int64_t{1'767'225'600'123}, 37.5665123, 126.9779692});
  db->exec("INSERT INTO positions (at, lat, lon) VALUES (?, ?, ?)", {std::int64_t{1'767'225'600'124}, 35.1795543, 129.0756416});
  auto rows = db->query("SELECT seq, at, lat, lon, kind FROM positions ORDER BY seq");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].integer("seq"), 1);
  EXPECT_EQ(rows[1].integer("seq"), 2);
  EXPECT_EQ(rows[0].integer("at"), 1'767'225'600'123);
  EXPECT_EQ(rows[0].real("lat"), 37.5665123);
  EXPECT_EQ(rows[1].real("lon"), 129.0756416);
  EXPECT_EQ(rows[0].text("kind"), "INTEGER REAL");
  // INSERT ... ON CONFLICT DO UPDATE with excluded, as Table::save writes it.
  db->exec("INSERT INTO positions (seq, at, lat, lon) VALUES (?, ?, ?, ?) ON CONFLICT (seq) DO UPDATE SET lat = excluded.lat",
           {std::int64_t{1}, std::int64_t{0}, 1.5, 0.0});
  EXPECT_EQ(db->query_one("SELECT lat FROM positions WHERE seq = 1")->real("lat"), 1.5);
}

TEST_F(PostgresDbTest, PreparesAStatementOncePerSession) {
  auto one = platform::open_database(url + "?pool=1");
  one->script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
  for (std::int64_t i = 0; i < 5; ++i) one->query("SELECT name FROM items WHERE id = ?", {i});
  EXPECT_EQ(one->query_one("SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE statement LIKE ?",
                           {std::string("SELECT name FROM items%")})->integer("n"), 1);
}

TEST_F(PostgresDbTest, TransactionCommitsOrRollsBackAndListenersHearCommits) {
  db->script("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
  std::atomic<int> commits{0};
  db->on_commit([&] { ++commits; });
  db->transaction([](Db& tx) { tx.exec("INSERT INTO notes VALUES (1, 'kept')"); });
  EXPECT_EQ(commits, 1);
  struct Refused {};
  EXPECT_THROW(db->transaction([](Db& tx) {
    tx.exec("INSERT INTO notes VALUES (2, 'dropped')");
    throw Refused{};
  }), Refused);
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(count(*db, "notes"), 1);
  db->exec("INSERT INTO notes VALUES (3, 'alone')");
  EXPECT_EQ(commits, 2);
  EXPECT_THROW(db->transaction([](Db& tx) { tx.transaction([](Db&) {}); }), std::logic_error);
  EXPECT_THROW(db->lock("outside"), std::logic_error);
}

TEST_F(PostgresDbTest, TheDbItselfUsedInsideATransactionJoinsIt) {
  // One session only: a call on `db` that waited for a session of its own would wait forever.
  auto one = platform::open_database(url + "?pool=1");
  one->script("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
  EXPECT_THROW(one->transaction([&](Db&) {
    one->exec("INSERT INTO notes VALUES (1, 'through the db')");
    EXPECT_EQ(count(*one, "notes"), 1);  // its own write, inside the transaction
    EXPECT_EQ(count(*db, "notes"), 0);   // another replica does not see it yet
    throw std::runtime_error("roll back");
  }), std::runtime_error);
  EXPECT_EQ(count(*one, "notes"), 0);  // it did not escape the transaction
  EXPECT_THROW(one->transaction([&](Db&) { one->transaction([](Db&) {}); }), std::logic_error);
}

TEST_F(PostgresDbTest, ReplicasIncrementingOneRowLoseNoUpdate) {
  db->script("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  db->exec("INSERT INTO counters VALUES ('orders', 0)");
  auto other = platform::open_database(url);
  auto increment = [](Db& replica) {
    for (int i = 0; i < 200; ++i)
      replica.transaction([](Db& tx) {
        auto value = tx.query_one("SELECT value FROM counters WHERE name = 'orders'")->integer("value");
        tx.exec("UPDATE counters SET value = ? WHERE name = 'orders'", {value + 1});
      });
  };
  at_once({[&] { increment(*db); }, [&] { increment(*other); }});
  EXPECT_EQ(db->query_one("SELECT value FROM counters")->integer("value"), 400);
}

TEST_F(PostgresDbTest, TheSameEventFromTwoReplicasTakesEffectOnce) {
  db->script(
      "CREATE TABLE inbox (id TEXT PRIMARY KEY);"
      "CREATE TABLE effects (id TEXT PRIMARY KEY);");
  auto other = platform::open_database(url);
  // Each event reaches both replicas at once.
  auto in_step = [](std::barrier<>& both, const std::function<void(int)>& step) {
    try {
      for (int i = 0; i < 100; ++i, both.arrive_and_wait()) step(i);
    } catch (...) {
      both.arrive_and_drop();  // the other replica goes on alone
      throw;
    }
  };
  std::barrier inbox_step(2);
  auto consume = [&](Db& replica) {
    in_step(inbox_step, [&](int i) {
      replica.transaction([&](Db& tx) {
        auto id = "event-" + std::to_string(i);
        if (tx.exec("INSERT INTO inbox (id) VALUES (?) ON CONFLICT (id) DO NOTHING", {id}) == 1)
          tx.exec("INSERT INTO effects (id) VALUES (?)", {id});  // fails if applied twice
      });
    });
  };
  at_once({[&] { consume(*db); }, [&] { consume(*other); }});
  EXPECT_EQ(count(*db, "effects"), 100);

  std::atomic<std::int64_t> inserted{0};
  std::barrier alone_step(2);
  auto insert_alone = [&](Db& replica) {
    in_step(alone_step, [&](int i) {
      inserted += replica.exec("INSERT INTO inbox (id) VALUES (?) ON CONFLICT (id) DO NOTHING",
                               {"alone-" + std::to_string(i)});
    });
  };
  at_once({[&] { insert_alone(*db); }, [&] { insert_alone(*other); }});
  EXPECT_EQ(inserted, 100);
}

TEST_F(PostgresDbTest, NextIdNeverRepeatsAcrossReplicasAndFollowsExistingKeys) {
  db->script("CREATE TABLE orders (order_id INTEGER PRIMARY KEY, replica INTEGER NOT NULL)");
  db->exec("INSERT INTO orders VALUES (41, 0)");
  auto other = platform::open_database(url);
  auto place = [](Db& replica, std::int64_t name) {
    for (int i = 0; i < 100; ++i) {
      if (i % 2) {
        replica.transaction([&](Db& tx) {
          tx.exec("INSERT INTO orders VALUES (?, ?)", {tx.next_id("orders", "order_id"), name});
        });
      } else {
        replica.exec("INSERT INTO orders VALUES (?, ?)", {replica.next_id("orders", "order_id"), name});
      }
    }
  };
  at_once({[&] { place(*db, 1); }, [&] { place(*other, 2); }});
  EXPECT_EQ(count(*db, "orders"), 201);  // a repeated key would have failed its INSERT
  EXPECT_EQ(db->query_one("SELECT MIN(order_id) AS first FROM orders WHERE replica > 0")->integer("first"), 42);
  EXPECT_THROW(db->next_id("orders; DROP TABLE orders", "order_id"), std::invalid_argument);
}

TEST_F(PostgresDbTest, ALockTakenFirstOrdersTransactionsAndTheirReads) {
  db->script("CREATE TABLE steps (holder TEXT)");
  auto other = platform::open_database(url);
  std::latch holding(1);
  std::atomic<std::int64_t> seen_by_second{-1};
  at_once({[&] {
             db->transaction([&](Db& tx) {
               tx.lock("fd_schema");
               tx.exec("INSERT INTO steps VALUES ('first')");
               holding.count_down();
               std::this_thread::sleep_for(300ms);  // the other waits meanwhile, however long this is
             });
           },
           [&] {
             holding.wait();
             other->transaction([&](Db& tx) {
               tx.lock("fd_schema");
               // Reads as of after the first one committed, not as of when it began waiting.
               seen_by_second = count(tx, "steps");
             });
           }});
  EXPECT_EQ(seen_by_second, 1);
}

TEST_F(PostgresDbTest, OneReplicaLeadsUntilItLetsGoOrItsSessionDies) {
  auto other = platform::open_database(url);
  auto lease = db->try_lead("relay");
  ASSERT_TRUE(lease);
  EXPECT_TRUE(lease->held());
  EXPECT_EQ(other->try_lead("relay"), nullptr);
  EXPECT_TRUE(other->try_lead("another role"));

  lease.reset();  // let go
  std::unique_ptr<Db::Lease> taken;
  ASSERT_TRUE(eventually([&] { return (taken = other->try_lead("relay")) != nullptr; }));
  EXPECT_TRUE(taken->held());

  // The holder's session is cut (as when its replica is killed): the lease frees itself.
  server.psql("fd_test", "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'");
  ASSERT_TRUE(eventually([&] { return (lease = db->try_lead("relay")) != nullptr; }));
  EXPECT_TRUE(eventually([&] { return !taken->held(); }));
  EXPECT_FALSE(taken->held());  // lost for good
  EXPECT_TRUE(lease->held());
}

TEST_F(PostgresDbTest, MigrationsRunByReplicasStartingAtOnceApplyOnce) {
  const std::vector<platform::Migration> schema = {
      {1, "001_init", "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, status TEXT NOT NULL);"
                      "CREATE TABLE applied (migration TEXT);"
                      "INSERT INTO applied VALUES ('001');"},
      {2, "002_rider", "ALTER TABLE orders ADD COLUMN rider TEXT; INSERT INTO applied VALUES ('002');"},
  };
  for (int round = 0; round < 3; ++round) {
    auto database = "replicas_" + std::to_string(round);
    auto first = platform::open_database(server.create_database(database));
    auto second = platform::open_database(server.url(database));
    std::atomic<std::size_t> applied{0};
    auto start = [&](Db& replica) {
      platform::migrate_messaging(replica);
      applied += platform::migrate(replica, schema).size();
    };
    at_once({[&] { start(*first); }, [&] { start(*second); }});
    EXPECT_EQ(applied, 2u);
    EXPECT_EQ(count(*first, "applied"), 2);
    EXPECT_EQ(count(*first, "fd_schema_migrations"), 2);
    EXPECT_EQ(count(*first, "fd_outbox"), 0);
  }
}

// An outbox made before events carried their trace gets the column once, however many replicas
// start at once, and an event keeps the trace of the transaction that wrote it.
TEST_F(PostgresDbTest, AnOutboxWithoutTheTraceColumnGetsItOnceFromReplicasStartingAtOnce) {
  auto second = platform::open_database(url);
  db->script("CREATE TABLE fd_outbox (seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
             " id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, order_id TEXT, body TEXT NOT NULL,"
             " created_at BIGINT NOT NULL);");
  at_once({[&] { platform::migrate_messaging(*db); }, [&] { platform::migrate_messaging(*second); }});
  const auto request = platform::trace::start();
  platform::trace::Scope scope(request);
  db->transaction([](Db& tx) { platform::append_events(tx, {platform::Event{"OrderPlaced", {{"orderId", 7}}}}); });
  EXPECT_EQ(db->query_one("SELECT traceparent FROM fd_outbox")->text(0), request.traceparent());
}

// Each service's schema/NNN_*.sql, as its build embeds them (cmake/embed_schema.cmake).
std::vector<platform::Migration> schema_of(const std::string& service) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FD_SOURCE_DIR) + "/services/" + service + "/schema"))
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<platform::Migration> schema;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    schema.push_back({std::stoi(file.filename().string()), file.filename().string(), sql});
  }
  return schema;
}

TEST_F(PostgresDbTest, EveryServiceSchemaMigrates) {
  for (const std::string service : {"auth", "customer", "order", "payment", "rider", "store"}) {
    SCOPED_TRACE(service);
    auto schema = schema_of(service);
    ASSERT_FALSE(schema.empty());
    auto replica = platform::open_database(server.create_database(service));
    EXPECT_EQ(platform::migrate(*replica, schema).size(), schema.size());
    EXPECT_TRUE(platform::migrate(*replica, schema).empty());
  }
}

TEST_F(PostgresDbTest, ATransactionWhoseSessionBreaksBeforeCommitRunsAgain) {
  db->script("CREATE TABLE notes (id INTEGER PRIMARY KEY)");
  int attempts = 0;
  db->transaction([&](Db& tx) {
    tx.exec("INSERT INTO notes VALUES (1)");
    if (++attempts == 1) tx.query("SELECT pg_terminate_backend(pg_backend_pid())");
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(count(*db, "notes"), 1);
}

TEST_F(PostgresDbTest, ASessionBreakingDuringCommitIsReportedNotRunAgain) {
  // A deferred trigger runs inside COMMIT: there it cuts its own session.
  db->script(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY);"
      "CREATE FUNCTION cut_session() RETURNS trigger LANGUAGE plpgsql AS "
      "'BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(1); RETURN NULL; END';"
      "CREATE CONSTRAINT TRIGGER cut_at_commit AFTER INSERT ON notes DEFERRABLE INITIALLY DEFERRED "
      "FOR EACH ROW EXECUTE FUNCTION cut_session();");
  int attempts = 0;
  try {
    db->transaction([&](Db& tx) {
      ++attempts;
      tx.exec("INSERT INTO notes VALUES (1)");
    });
    FAIL() << "a transaction whose COMMIT got no answer should throw";
  } catch (const platform::DatabaseUnavailable& error) {  // an HTTP request: 503, to be retried
    EXPECT_NE(std::string(error.what()).find("unknown"), std::string::npos) << error.what();
  }
  EXPECT_EQ(attempts, 1);
}

TEST_F(PostgresDbTest, ServesAgainAfterPostgresRestarts) {
  db->script("CREATE TABLE notes (id INTEGER PRIMARY KEY)");
  db->exec("INSERT INTO notes VALUES (1)");
  auto lease = db->try_lead("relay");
  server.stop(/*immediate=*/true);
  try {
    count(*db, "notes");
    FAIL() << "a query while PostgreSQL is down should throw";
  } catch (const platform::DatabaseUnavailable& error) {
    EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(server.port()) + "/fd_test"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(lease->held());
  server.start();
  EXPECT_EQ(count(*db, "notes"), 1);  // the very next call
  db->transaction([](Db& tx) { tx.exec("INSERT INTO notes VALUES (2)"); });
  EXPECT_EQ(count(*db, "notes"), 2);
}

}  // namespace
