// The messaging (outbox → relay → bus → inbox) over Kafka: a real `fooddelivery kafka-broker`
// (librdkafka's mock cluster, 3 brokers, 6 partitions) per test, real SQLite files, and
// consumers killed as a crash would kill them (child processes).
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "platform/db.hpp"
#include "platform/event.hpp"
#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/kafka_broker.hpp"
#include "support/postgres_server.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::eventually;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kGroup = "order";  // the consuming service
// A new group's first join waits ~3 s in the mock; a killed member is dropped after the
// bus's 6 s session timeout.
constexpr auto kJoinWait = 30s;

std::unique_ptr<platform::Db> open_effects_db(const std::string& path) {
  auto db = platform::open_database("sqlite:" + path);
  platform::migrate_messaging(*db);
  db->script(
      "CREATE TABLE IF NOT EXISTS effects (n INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT, "
      "event_id TEXT, step INTEGER)");
  return db;
}

std::int64_t count(platform::Db& db, const std::string& where = "1=1") {
  return db.query_one("SELECT COUNT(*) FROM effects WHERE " + where)->integer(0);
}

platform::Event placed(const std::string& order_id, int step) {
  platform::Event event;
  event.type = "OrderPlaced";
  event.body = {{"orderId", order_id}, {"customerId", "c-1"}, {"amount", 12000}, {"step", step}};
  return event;
}

// A reaction recording its effect in the inbox's transaction.
platform::Reaction record_effect() {
  return [](platform::Db& tx, const platform::ReceivedEvent& event) {
    tx.exec("INSERT INTO effects(order_id, event_id, step) VALUES(?, ?, ?)",
            {event.order_id(), event.id, event.body.at("step").to_number<std::int64_t>()});
  };
}

class KafkaMessaging : public ::testing::Test {
 protected:
  KafkaMessaging()
      : dir(fd::test::make_temp_dir("fd-kafkatest-")), publisher_db(open_effects_db(dir + "/publisher.db")) {}
  ~KafkaMessaging() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  platform::MessagingOptions options(std::string durable = {}) { return broker.messaging_options(std::move(durable)); }

  // Commits the events to the publisher's outbox and waits until the relay has published them.
  void publish(const std::vector<platform::Event>& events) {
    publisher_db->transaction([&](platform::Db& tx) { platform::append_events(tx, events); });
    ASSERT_TRUE(eventually([&] { return publisher->pending_outbox() == 0; }, 20s)) << "the outbox was not relayed";
  }

  void start_publisher() {
    publisher = std::make_unique<platform::Messaging>(*publisher_db, options());
    publisher->start({});
  }

  fd::test::KafkaBroker broker;
  std::string dir;
  std::unique_ptr<platform::Db> publisher_db;
  std::unique_ptr<platform::Messaging> publisher;
};

// The test's own view of the topic: every record from the start of every partition.
struct Record {
  std::string key, type, id, value;
  std::int32_t partition = 0;
};

std::vector<Record> read_topic(const std::string& bootstrap, std::size_t expected) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "group.id", "test-reader", error, sizeof error);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (!rk) throw std::runtime_error(std::string("test reader: ") + error);
  rd_kafka_topic_partition_list_t* all = rd_kafka_topic_partition_list_new(6);
  for (int p = 0; p < 6; ++p)
    rd_kafka_topic_partition_list_add(all, "fooddelivery", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, all);
  rd_kafka_topic_partition_list_destroy(all);
  std::vector<Record> records;
  auto deadline = Clock::now() + 15s;
  while (records.size() < expected && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      Record r;
      r.partition = m->partition;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const void* v = nullptr;
        std::size_t n = 0;
        if (!rd_kafka_header_get_last(headers, "type", &v, &n)) r.type.assign(static_cast<const char*>(v), n);
        if (!rd_kafka_header_get_last(headers, "event-id", &v, &n)) r.id.assign(static_cast<const char*>(v), n);
      }
      records.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return records;
}

// The offsets the group has committed, summed over the topic's partitions (0 when none).
std::int64_t committed_records(const std::string& bootstrap, const std::string& group) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), error, sizeof error);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (!rk) throw std::runtime_error(std::string("offset reader: ") + error);
  rd_kafka_topic_partition_list_t* all = rd_kafka_topic_partition_list_new(6);
  for (int p = 0; p < 6; ++p) rd_kafka_topic_partition_list_add(all, "fooddelivery", p);
  auto err = rd_kafka_committed(rk, all, 10'000);
  std::int64_t total = 0;
  for (int i = 0; i < all->cnt; ++i)
    if (all->elems[i].offset > 0) total += all->elems[i].offset;
  rd_kafka_topic_partition_list_destroy(all);
  rd_kafka_destroy(rk);
  if (err) throw std::runtime_error(std::string("committed offsets: ") + rd_kafka_err2str(err));
  return total;
}

// A consumer of its own in a child process, so that the test can kill it as a crash would;
// killed and reaped when the test ends, whatever way it ends.
class ConsumerProcess {
 public:
  // die_after_first_effect: it exits right after its first inbox transaction committed,
  // before the bus commits that record's offset.
  ConsumerProcess(const std::string& db_path, const std::string& bus_url, bool die_after_first_effect) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ > 0) return;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    try {
      run(db_path, bus_url, die_after_first_effect);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "consumer process: %s\n", e.what());
    }
    ::_exit(1);  // never back into the test runner
  }
  ~ConsumerProcess() { kill(); }
  ConsumerProcess(const ConsumerProcess&) = delete;
  ConsumerProcess& operator=(const ConsumerProcess&) = delete;

  bool exited() {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    return pid_ <= 0;
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  [[noreturn]] static void run(const std::string& db_path, const std::string& bus_url, bool die_after_first_effect) {
    auto db = open_effects_db(db_path);
    std::atomic<bool> applied{false};
    std::atomic<std::thread::id> applier{};
    if (die_after_first_effect)
      db->on_commit([&] {
        if (applied && std::this_thread::get_id() == applier.load()) ::_exit(0);
      });
    platform::MessagingOptions o;
    o.bus_url = bus_url;
    o.durable = kGroup;
    o.relay_poll = 50ms;
    platform::Messaging messaging(*db, o);
    auto effect = record_effect();
    messaging.start({{"OrderPlaced", [&](platform::Db& tx, const platform::ReceivedEvent& event) {
                        effect(tx, event);
                        applier = std::this_thread::get_id();
                        applied = true;
                      }}});
    for (;;) ::pause();
  }

  pid_t pid_ = -1;
};

TEST_F(KafkaMessaging, CommittedEventsTravelKeyedByOrderWithTypeAndIdHeadersAndAreAppliedOnce) {
  start_publisher();
  ASSERT_TRUE(eventually([&] { return publisher->connected(); }, 10s));
  publish({placed("o-1", 1), placed("o-2", 1)});

  auto records = read_topic(broker.bootstrap(), 2);
  ASSERT_EQ(records.size(), 2u);
  std::set<std::string> keys;
  for (const auto& r : records) {
    keys.insert(r.key);
    EXPECT_EQ(r.type, "OrderPlaced");
    EXPECT_FALSE(r.id.empty());
    auto body = boost::json::parse(r.value).as_object();
    EXPECT_EQ(body.at("eventType").as_string(), "OrderPlaced");
    EXPECT_EQ(body.at("orderId").as_string(), r.key);  // the key is the event's order
  }
  EXPECT_EQ(keys, (std::set<std::string>{"o-1", "o-2"}));
  EXPECT_NE(records[0].id, records[1].id);

  auto consumer_db = open_effects_db(dir + "/order.db");
  platform::Messaging consumer(*consumer_db, options(kGroup));
  consumer.start({{"OrderPlaced", record_effect()}});
  ASSERT_TRUE(eventually([&] { return count(*consumer_db) == 2; }, kJoinWait)) << count(*consumer_db);
  std::set<std::string> applied_ids;
  for (const auto& row : consumer_db->query("SELECT event_id FROM effects")) applied_ids.insert(row.text(0));
  EXPECT_EQ(applied_ids, (std::set<std::string>{records[0].id, records[1].id}));  // the inbox key is the event id
  // Each acknowledged record's offset is committed: the group resumes after them.
  EXPECT_TRUE(eventually([&] { return committed_records(broker.bootstrap(), kGroup) == 2; }, 10s));
}

TEST_F(KafkaMessaging, EventsOfTypesTheServiceDoesNotReactToAreAcknowledgedUnapplied) {
  start_publisher();
  platform::Event opened;  // concerns no order: a record without a key
  opened.type = "StoreOpened";
  opened.body = {{"storeId", "s-9"}, {"name", "Kimbap Heaven"}};
  publish({opened, placed("o-1", 1)});
  auto records = read_topic(broker.bootstrap(), 2);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) EXPECT_EQ(r.key, r.type == "StoreOpened" ? "" : "o-1") << r.type;

  auto consumer_db = open_effects_db(dir + "/order.db");
  platform::Messaging consumer(*consumer_db, options(kGroup));
  consumer.start({{"OrderPlaced", record_effect()}});
  ASSERT_TRUE(eventually([&] { return count(*consumer_db) == 1; }, kJoinWait));
  EXPECT_TRUE(eventually([&] { return committed_records(broker.bootstrap(), kGroup) == 2; }, 10s))
      << "the other type's record was not acknowledged";
  EXPECT_EQ(count(*consumer_db, "order_id = 'o-1'"), 1);
}

TEST_F(KafkaMessaging, AConsumerKilledAfterItsEffectCommittedAndBeforeItsOffsetAppliesNothingTwice) {
  const std::string consumer_db_path = dir + "/order.db";
  // Forked before this process has any librdkafka thread.
  ConsumerProcess child(consumer_db_path, broker.url(), true);
  start_publisher();
  publish({placed("o-1", 1)});
  ASSERT_TRUE(eventually([&] { return child.exited(); }, kJoinWait)) << "the consumer did not apply the event";
  auto consumer_db = open_effects_db(consumer_db_path);
  ASSERT_EQ(count(*consumer_db), 1);
  EXPECT_EQ(committed_records(broker.bootstrap(), kGroup), 0) << "the offset was committed before the effect";

  // Its successor is handed the record again; the inbox drops it, then goes on to the next.
  publish({placed("o-1", 2)});
  platform::Messaging successor(*consumer_db, options(kGroup));
  std::atomic<int> reactions{0};
  auto effect = record_effect();
  successor.start({{"OrderPlaced", [&](platform::Db& tx, const platform::ReceivedEvent& event) {
                      ++reactions;
                      effect(tx, event);
                    }}});
  ASSERT_TRUE(eventually([&] { return count(*consumer_db) == 2; }, kJoinWait)) << count(*consumer_db);
  EXPECT_TRUE(eventually([&] { return committed_records(broker.bootstrap(), kGroup) == 2; }, 10s));
  EXPECT_EQ(count(*consumer_db, "step = 1"), 1);
  EXPECT_EQ(reactions.load(), 1);  // the redelivered first event never reached the reaction
}

TEST_F(KafkaMessaging, OneOrdersEventsArriveInOrderAlsoWhenAReactionFailsAndIsRedelivered) {
  start_publisher();
  std::vector<platform::Event> events;
  const int orders = 5, steps = 12;
  for (int step = 1; step <= steps; ++step)
    for (int o = 1; o <= orders; ++o) events.push_back(placed("o-" + std::to_string(o), step));
  publish(events);

  auto consumer_db = open_effects_db(dir + "/order.db");
  platform::Messaging consumer(*consumer_db, options(kGroup));
  std::atomic<int> failures{0};
  auto effect = record_effect();
  std::set<std::string> failed_once;  // the poller's alone: deliveries come one at a time
  consumer.start({{"OrderPlaced", [&](platform::Db& tx, const platform::ReceivedEvent& event) {
                     // Every third step fails on its first delivery: the bus must go back to it.
                     if (event.body.at("step").to_number<std::int64_t>() % 3 == 0 &&
                         failed_once.insert(event.id).second) {
                       ++failures;
                       throw std::runtime_error("the reaction fails once");
                     }
                     effect(tx, event);
                   }}});
  ASSERT_TRUE(eventually([&] { return count(*consumer_db) == orders * steps; }, 60s)) << count(*consumer_db);
  EXPECT_EQ(failures.load(), orders * (steps / 3));
  for (int o = 1; o <= orders; ++o) {
    auto rows =
        consumer_db->query("SELECT step FROM effects WHERE order_id = ? ORDER BY n", {"o-" + std::to_string(o)});
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(steps));
    for (int i = 0; i < steps; ++i) EXPECT_EQ(rows[i].integer(0), i + 1) << "order o-" << o;
  }
}

TEST_F(KafkaMessaging, TwoMembersSplitTheWorkAndADeadMembersPartitionsAreHandedOverWithoutLoss) {
  const std::string other_db_path = dir + "/order-2.db";
  ConsumerProcess other(other_db_path, broker.url(), false);
  auto own_db = open_effects_db(dir + "/order-1.db");
  platform::Messaging own(*own_db, options(kGroup));
  own.start({{"OrderPlaced", record_effect()}});
  start_publisher();

  const int orders = 24;
  auto batch = [&](int step) {
    std::vector<platform::Event> events;
    for (int o = 1; o <= orders; ++o) events.push_back(placed("o-" + std::to_string(o), step));
    return events;
  };
  publish(batch(1));
  auto other_db = open_effects_db(other_db_path);
  ASSERT_TRUE(eventually([&] { return count(*own_db) + count(*other_db) == orders; }, kJoinWait))
      << count(*own_db) << " + " << count(*other_db);
  EXPECT_GT(count(*own_db), 0) << "the members did not split the partitions";
  EXPECT_GT(count(*other_db), 0) << "the members did not split the partitions";

  other.kill();
  publish(batch(2));
  // Every order's second step is applied, by the survivor once the dead member is dropped.
  ASSERT_TRUE(eventually([&] { return count(*own_db, "step = 2") == orders; }, kJoinWait)) << count(*own_db, "step = 2");
  std::set<std::string> first_steps;
  for (auto* db : {own_db.get(), other_db.get()})
    for (const auto& row : db->query("SELECT order_id FROM effects WHERE step = 1")) first_steps.insert(row.text(0));
  EXPECT_EQ(first_steps.size(), static_cast<std::size_t>(orders));
}

// Replicas of a service share its database; only the one leading it is in the consumer
// group, so that the service applies one order's events as one process would.
TEST_F(KafkaMessaging, OfAServicesReplicasOnlyTheLeaderTakesTheRecords) {
  fd::test::PostgresServer postgres;
  const std::string url = postgres.create_database("order");
  std::vector<std::unique_ptr<platform::Db>> dbs;
  std::vector<std::unique_ptr<platform::Messaging>> replicas;
  std::atomic<int> taken[2] = {0, 0};
  for (int r = 0; r < 2; ++r) {
    dbs.push_back(platform::open_database(url));
    if (r == 0) {
      platform::migrate_messaging(*dbs[0]);
      dbs[0]->script("CREATE TABLE effects (n SERIAL PRIMARY KEY, order_id TEXT, event_id TEXT, step BIGINT)");
    }
    replicas.push_back(std::make_unique<platform::Messaging>(*dbs[r], options(kGroup)));
    auto effect = record_effect();
    replicas[r]->start({{"OrderPlaced", [&taken, r, effect](platform::Db& tx, const platform::ReceivedEvent& event) {
                           ++taken[r];
                           effect(tx, event);
                         }}});
  }
  start_publisher();
  std::vector<platform::Event> events;
  for (int o = 1; o <= 24; ++o) events.push_back(placed("o-" + std::to_string(o), 1));
  publish(events);
  ASSERT_TRUE(eventually([&] { return count(*dbs[0]) == 24; }, kJoinWait)) << count(*dbs[0]);
  EXPECT_EQ(std::min(taken[0].load(), taken[1].load()), 0)
      << "both replicas took records: " << taken[0] << " and " << taken[1];
  EXPECT_EQ(taken[0] + taken[1], 24);
}

// `fooddelivery kafka-broker`: three brokers answering on the list it wrote, the topic with
// the partitions asked for, and a clean stop on SIGTERM that takes the list away with it.
TEST(KafkaBrokerCommand, ServesItsBootstrapListAndStopsCleanlyOnSigterm) {
  fd::test::KafkaBroker broker(4);
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", broker.bootstrap().c_str(), error, sizeof error);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  ASSERT_NE(rk, nullptr) << error;
  const rd_kafka_metadata_t* metadata = nullptr;
  ASSERT_EQ(rd_kafka_metadata(rk, 1, nullptr, &metadata, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(metadata->broker_cnt, 3);
  bool found = false;
  for (int t = 0; t < metadata->topic_cnt; ++t)
    if (std::string(metadata->topics[t].topic) == "fooddelivery") {
      found = true;
      EXPECT_EQ(metadata->topics[t].partition_cnt, 4);
    }
  EXPECT_TRUE(found) << "no topic fooddelivery";
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_destroy(rk);

  EXPECT_TRUE(broker.stop()) << fd::test::tail_of(broker.log_path());
  EXPECT_FALSE(std::filesystem::exists(broker.bootstrap_file()));
}

TEST(KafkaBusUrl, AMalformedUrlIsRefusedSayingWhy) {
  const std::string dir = fd::test::make_temp_dir("fd-kafkaurl-");
  auto db = platform::open_database("sqlite:" + dir + "/x.db");
  for (const char* url :
       {"kafka://", "kafka://localhost", "kafka://a:9092,,b:9092", "kafka://a:99999", "nats://127.0.0.1:4222"}) {
    platform::MessagingOptions o;
    o.bus_url = url;
    try {
      platform::Messaging messaging(*db, o);
      ADD_FAILURE() << url << " was taken";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(url), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
