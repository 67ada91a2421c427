// Two replicas of one service, as the cluster runs them: two processes' worth of Db and
// Messaging on one PostgreSQL database, one nats-server, racing each other.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/nats_server.hpp"
#include "support/postgres_server.hpp"
#include "support/publish.hpp"
#include "platform/clock.hpp"
#include "platform/db.hpp"
#include "platform/event.hpp"
#include "platform/messaging.hpp"
#include "platform/migrations.hpp"
#include "platform/unit_of_work.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 20s) {
  auto deadline = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() > deadline) return predicate();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::int64_t count(platform::Db& db, const std::string& table) {
  return db.query_one("SELECT COUNT(*) AS n FROM " + table)->integer("n");
}

platform::Event placed(int order) {
  platform::Event event;
  event.type = "OrderPlaced";
  event.body = {{"orderId", order}, {"customerId", "customer1"}};
  return event;
}

// A replica: its own connections to the shared database and to NATS.
struct Replica {
  std::unique_ptr<platform::Db> db;
  std::unique_ptr<platform::Messaging> messaging;

  Replica(const std::string& db_url, const std::string& nats_url, const std::string& durable,
          std::chrono::milliseconds duplicate_window = platform::MessagingOptions{}.stream_duplicate_window) {
    db = platform::open_database(db_url);
    platform::MessagingOptions options;
    options.nats = nats_url;
    options.durable = durable;
    options.relay_poll = 20ms;
    options.stream_duplicate_window = duplicate_window;
    messaging = std::make_unique<platform::Messaging>(*db, options);
  }
};

class Replicas : public ::testing::Test {
 protected:
  fd::test::PostgresServer postgres;
  fd::test::NatsServer nats;
  std::string url = postgres.create_database("kitchen");
};

TEST_F(Replicas, EachEventCommittedOnEitherIsRelayedOnceAndALeadersDeathHandsTheRelayOver) {
  auto first = std::make_unique<Replica>(url, nats.url(), "");
  Replica second(url, nats.url(), "");
  first->messaging->start({});
  second.messaging->start({});

  // Both commit events at once, each in its own transactions.
  constexpr int kPerReplica = 100;
  auto commit = [](platform::Db& db, int from) {
    for (int i = 0; i < kPerReplica; ++i)
      db.transaction([&](platform::Db& tx) { platform::record(tx, {placed(from + i)}); });
  };
  std::thread a([&] { commit(*first->db, 0); });
  std::thread b([&] { commit(*second.db, 1000); });
  a.join();
  b.join();
  ASSERT_TRUE(eventually([&] { return platform::read_stream(nats.url()).size() >= 2 * kPerReplica; }));
  EXPECT_TRUE(eventually([&] { return count(*second.db, "fd_outbox") == 0; }));

  // The leader (whichever it is) goes away; the other takes the relay over.
  first->messaging->stop();
  first.reset();
  commit(*second.db, 2000);
  ASSERT_TRUE(eventually([&] { return count(*second.db, "fd_outbox") == 0; }))
      << count(*second.db, "fd_outbox") << " events wait in the outbox";

  auto stored = platform::read_stream(nats.url());
  std::set<std::string> ids;
  std::set<std::int64_t> orders;
  for (const auto& event : stored) {
    ids.insert(event.id);
    orders.insert(event.body.at("orderId").as_int64());
  }
  EXPECT_EQ(stored.size(), 3u * kPerReplica) << "one stream message per event";
  EXPECT_EQ(ids.size(), stored.size()) << "no event stored twice";
  EXPECT_EQ(orders.size(), 3u * kPerReplica) << "every event stored";
}

TEST_F(Replicas, OneTakesTheEventsAtATimeAndAnEventDeliveredAgainToItsSuccessorIsAppliedOnce) {
  platform::create_tables(*platform::open_database(url),
                          "CREATE TABLE IF NOT EXISTS effects (event_id TEXT NOT NULL, order_id INTEGER NOT NULL)");
  fd::test::create_stream(nats.url(), 100ms);
  std::atomic<int> reactions[2] = {0, 0};
  auto effect = [&reactions](int replica) {
    return [&reactions, replica](platform::Db& tx, const platform::ReceivedEvent& event) {
      ++reactions[replica];
      tx.exec("INSERT INTO effects (event_id, order_id) VALUES (?, ?)",
              {event.id, event.body.at("orderId").as_int64()});
    };
  };
  // nats-server's smallest de-duplication window, which each replica brings the stream to.
  auto first = std::make_unique<Replica>(url, nats.url(), "kitchen", 100ms);
  Replica second(url, nats.url(), "kitchen", 100ms);
  first->messaging->start({{"OrderPlaced", effect(0)}});
  ASSERT_TRUE(eventually([&] { return platform::consumer_state(nats.url(), "kitchen").bound; }));
  second.messaging->start({{"OrderPlaced", effect(1)}});
  auto consumed = [&](std::uint64_t n) {
    return eventually([&] {
      auto state = platform::consumer_state(nats.url(), "kitchen");
      return state.delivered >= n && state.pending == 0 && state.unacknowledged == 0;
    });
  };

  constexpr int kEvents = 40;
  std::vector<std::string> ids;
  for (int i = 0; i < kEvents; ++i)
    ids.push_back(fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", i}, {"customerId", "customer1"}}));
  ASSERT_TRUE(consumed(kEvents));
  EXPECT_EQ(reactions[0] + reactions[1], kEvents);
  EXPECT_TRUE(reactions[0] == 0 || reactions[1] == 0) << "one replica takes the events, in the stream's order";

  // The one that took them goes; the same events come again (as after a lost acknowledgement,
  // past the stream's 100 ms de-duplication window) and reach its successor.
  first->messaging->stop();
  first.reset();
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < kEvents; ++i)
    fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", i}, {"customerId", "customer1"}}, ids[i]);
  ASSERT_EQ(platform::read_stream(nats.url()).size(), 2u * kEvents) << "the copies must reach the stream";
  ASSERT_TRUE(consumed(2 * kEvents)) << "the other replica took the events over";
  auto db = platform::open_database(url);
  EXPECT_EQ(count(*db, "effects"), kEvents) << "every event once, whichever replica had it";
  EXPECT_EQ(count(*db, "fd_inbox"), kEvents);
}

}  // namespace
