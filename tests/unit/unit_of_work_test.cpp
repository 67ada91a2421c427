// The platform's unit of work, tables and migrations against a real (in-memory) SQLite.
#include <gtest/gtest.h>

#include "contracts/events.hpp"
#include "platform/migrations.hpp"
#include "platform/service_host.hpp"
#include "platform/unit_of_work.hpp"
#include "problem_status.hpp"

namespace {

using platform::Db;

// A tiny aggregate: a counter that can be bumped up to a limit, each bump an event.
struct Tally {
  std::int64_t orderId = 0;
  std::string owner;
  std::int64_t count = 0;

  platform::Events bump() {
    if (count >= 2) throw platform::conflict("tally " + std::to_string(orderId) + " is full");
    ++count;
    return platform::events(contracts::OrderAccepted{orderId, owner, count});
  }
};

const platform::Table<Tally>& tallies() {
  static const platform::Table<Tally> table{"tallies",
                                            "tally",
                                            {platform::column("order_id", &Tally::orderId),
                                             platform::column("owner", &Tally::owner),
                                             platform::column("count", &Tally::count)},
                                            [](const platform::Row& row) {
                                              return Tally{row.integer("order_id"), row.text("owner"),
                                                           row.integer("count")};
                                            }};
  return table;
}

class UnitOfWork : public ::testing::Test {
 protected:
  void SetUp() override {
    platform::migrate_messaging(*db);
    platform::migrate(*db, {{1, "001_init.sql", "CREATE TABLE tallies (order_id INTEGER PRIMARY KEY, owner TEXT NOT "
                                                "NULL, count INTEGER NOT NULL);"}});
  }
  std::int64_t outbox() { return db->query_one("SELECT COUNT(*) AS n FROM fd_outbox")->integer("n"); }

  std::unique_ptr<Db> db = platform::open_database("sqlite::memory:");
};

TEST_F(UnitOfWork, ACommandSavesTheAggregateAndAppendsItsEventsTogether) {
  platform::create(*db, tallies(), [](Db&) { return std::pair{Tally{7, "customer1", 0}, platform::Events{}}; });
  auto bumped = platform::apply(*db, tallies(), std::int64_t{7}, [](Tally& t) { return t.bump(); });
  EXPECT_EQ(bumped.count, 1);
  EXPECT_EQ(tallies().find(*db, std::int64_t{7})->count, 1);
  auto row = db->query_one("SELECT type, body FROM fd_outbox");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->text("type"), "OrderAccepted");
  EXPECT_NE(row->text("body").find(R"("status":"ACCEPTED")"), std::string::npos) << row->text("body");
}

TEST_F(UnitOfWork, ARefusedCommandChangesNothingAndAMissingAggregateIs404) {
  platform::create(*db, tallies(), [](Db&) { return std::pair{Tally{7, "customer1", 2}, platform::Events{}}; });
  EXPECT_EQ(problem_status([&] { platform::apply(*db, tallies(), std::int64_t{7}, [](Tally& t) { return t.bump(); }); }),
            409);
  EXPECT_EQ(problem_status([&] { platform::apply(*db, tallies(), std::int64_t{8}, [](Tally& t) { return t.bump(); }); }),
            404);
  EXPECT_EQ(tallies().find(*db, std::int64_t{7})->count, 2);
  EXPECT_EQ(outbox(), 0);
}

TEST_F(UnitOfWork, AStepThatAlsoAppliesToAnUnknownAggregateStartsFromWhatTheKeyStandsFor) {
  EXPECT_EQ(tallies().next_key(*db), 1);
  auto bumped = platform::apply(
      *db, tallies(), std::int64_t{9}, [](Tally& t) { return t.bump(); },
      [] { return Tally{9, "customer2", 1}; });
  EXPECT_EQ(bumped.count, 2);
  EXPECT_EQ(tallies().find(*db, std::int64_t{9})->owner, "customer2");
  EXPECT_EQ(outbox(), 1);
  EXPECT_EQ(tallies().next_key(*db), 10);
}

TEST_F(UnitOfWork, AReactionFollowsTheWrittenPolicy) {
  auto [type, reaction] =
      platform::on<contracts::CookStarted>(tallies(), [](Tally& t, const contracts::CookStarted&) { return t.bump(); });
  EXPECT_EQ(type, "CookStarted");
  auto received = [](std::int64_t order) {
    return platform::ReceivedEvent{"id", "CookStarted", contracts::to_body(contracts::CookStarted{order, "c", 1})};
  };
  // Not known yet: too early, to be redelivered.
  EXPECT_THROW(db->transaction([&](Db& tx) { reaction(tx, received(7)); }), platform::TooEarly);

  platform::create(*db, tallies(), [](Db&) { return std::pair{Tally{7, "customer1", 1}, platform::Events{}}; });
  db->transaction([&](Db& tx) { reaction(tx, received(7)); });
  EXPECT_EQ(tallies().find(*db, std::int64_t{7})->count, 2);
  EXPECT_EQ(outbox(), 1);
  // A step the aggregate refuses (stale or repeated) is dropped without an effect.
  EXPECT_NO_THROW(db->transaction([&](Db& tx) { reaction(tx, received(7)); }));
  EXPECT_EQ(tallies().find(*db, std::int64_t{7})->count, 2);
  EXPECT_EQ(outbox(), 1);
  // A body that is not the contract's cannot become whole by redelivery.
  platform::ReceivedEvent unreadable{"id2", "CookStarted", {{"orderId", "seven"}}};
  EXPECT_THROW(db->transaction([&](Db& tx) { reaction(tx, unreadable); }), contracts::UnreadableEvent);
}

TEST(Migrations, ApplyOnceInOrderAndStopAtTheOneThatFails) {
  auto db = platform::open_database("sqlite::memory:");
  std::vector<platform::Migration> schema{{1, "001_init.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);"},
                                          {2, "002_b.sql", "ALTER TABLE a ADD COLUMN b TEXT;"}};
  EXPECT_EQ(platform::migrate(*db, schema).size(), 2u);
  EXPECT_TRUE(platform::migrate(*db, schema).empty());
  db->exec("INSERT INTO a (id, b) VALUES (1, 'x')");

  schema.push_back({3, "003_broken.sql", "ALTER TABLE a ADD COLUMN c TEXT; ALTER TABLE nowhere ADD COLUMN d TEXT;"});
  try {
    platform::migrate(*db, schema);
    ADD_FAILURE() << "a broken migration was applied";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("003_broken.sql"), std::string::npos) << error.what();
  }
  EXPECT_EQ(db->query_one("SELECT MAX(version) AS v FROM fd_schema_migrations")->integer("v"), 2);
  EXPECT_THROW(db->query("SELECT c FROM a"), std::runtime_error);  // rolled back whole

  EXPECT_THROW(platform::migrate(*db, {schema[0]}), std::runtime_error);  // the database is newer than the build
  EXPECT_THROW(platform::migrate(*db, {schema[0], schema[2]}), std::invalid_argument);  // a gap in the versions
}

TEST(Subscriptions, AServiceReactsToExactlyWhatItsContractsSay) {
  auto reaction = [](Db&, const platform::ReceivedEvent&) {};
  std::map<std::string, platform::Reaction> rider{
      {"CookFinished", reaction}, {"DeliveryConfirmed", reaction}, {"TokenRevoked", reaction}};
  EXPECT_NO_THROW(platform::check_subscriptions("rider", rider));
  auto extra = rider;
  extra["OrderPlaced"] = reaction;
  EXPECT_THROW(platform::check_subscriptions("rider", extra), std::logic_error);
  auto missing = rider;
  missing.erase("DeliveryConfirmed");
  EXPECT_THROW(platform::check_subscriptions("rider", missing), std::logic_error);
}

}  // namespace
