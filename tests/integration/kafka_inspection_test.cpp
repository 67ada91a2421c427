// Looking at the Kafka bus from outside (platform::read_stream, stream_mark, consumer_state,
// forget_consumer; `fooddelivery events`, `fd-customer --rebuild`, `fooddelivery chaos`'s
// parts): a real `fooddelivery kafka-broker` per test (3 brokers, 6 partitions), events
// published by a real outbox relay, consumed by real consumer group members.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/bus_tail.hpp"
#include "platform/db.hpp"
#include "platform/event.hpp"
#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/kafka_broker.hpp"
#include "support/nats_server.hpp"
#include "support/publish.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::eventually;

using fd::test::read_file;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 6;
// A new group's first join waits ~3 s in the mock; a join while another member lives waits
// for it to join again.
constexpr auto kJoinWait = 30s;
const std::string kTool = std::string(FD_BUILD_DIR) + "/bin/fooddelivery";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}


class KafkaInspection : public ::testing::Test {
 protected:
  KafkaInspection() : dir(fd::test::make_temp_dir("fd-kafkainspect-")) {
    publisher_db = open_db("publisher");
    publisher = std::make_unique<platform::Messaging>(*publisher_db, options());
    publisher->start({});
  }
  ~KafkaInspection() override {
    publisher.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  std::unique_ptr<platform::Db> open_db(const std::string& name) {
    auto db = platform::open_database("sqlite:" + dir + "/" + name + ".db");
    platform::migrate_messaging(*db);
    db->script("CREATE TABLE IF NOT EXISTS effects (event_id TEXT)");
    return db;
  }

  platform::MessagingOptions options(std::string durable = {}) { return broker.messaging_options(std::move(durable)); }

  // Each order's events, steps 1..steps, through the outbox; returns once all are stored.
  void publish(int orders, int steps, int first_order = 1) {
    publisher_db->transaction([&](platform::Db& tx) {
      std::vector<platform::Event> events;
      for (int step = 1; step <= steps; ++step)
        for (int o = first_order; o < first_order + orders; ++o) {
          platform::Event event;
          event.type = "OrderPlaced";
          event.body = {{"orderId", "o-" + std::to_string(o)}, {"step", step}};
          events.push_back(std::move(event));
        }
      platform::append_events(tx, events);
    });
    ASSERT_TRUE(eventually([&] { return publisher->pending_outbox() == 0; }, 20s)) << "the outbox was not relayed";
  }

  // A service's consumer group member recording what it applied.
  struct Member {
    std::unique_ptr<platform::Db> db;
    std::unique_ptr<platform::Messaging> messaging;
    std::int64_t applied() const { return db->query_one("SELECT COUNT(*) FROM effects")->integer(0); }
  };
  Member member(const std::string& group, const std::string& db_name) {
    Member m{open_db(db_name), nullptr};
    m.messaging = std::make_unique<platform::Messaging>(*m.db, options(group));
    m.messaging->start({{"OrderPlaced", [](platform::Db& tx, const platform::ReceivedEvent& event) {
                           tx.exec("INSERT INTO effects(event_id) VALUES(?)", {event.id});
                         }}});
    return m;
  }

  fd::test::KafkaBroker broker{kPartitions};
  std::string dir;
  std::unique_ptr<platform::Db> publisher_db;
  std::unique_ptr<platform::Messaging> publisher;
};

TEST_F(KafkaInspection, ReadStreamGivesEveryPartitionsEventsWithTypeIdAndOffsetEachOrdersInOrder) {
  publish(8, 3);
  auto events = platform::read_stream(broker.url());
  ASSERT_EQ(events.size(), 24u);
  std::set<std::string> ids;
  std::map<int, std::uint64_t> next_offset;
  std::map<std::string, std::vector<std::int64_t>> steps;
  std::map<std::string, std::set<int>> partitions_of;
  std::set<int> partitions;
  int previous = 0;
  for (const auto& event : events) {
    EXPECT_EQ(event.type, "OrderPlaced");
    EXPECT_FALSE(event.id.empty());
    ids.insert(event.id);
    // Partition by partition, each from its first offset without a gap.
    EXPECT_EQ(event.seq, next_offset[event.partition]++) << "partition " << event.partition;
    EXPECT_GE(event.partition, previous);
    previous = event.partition;
    partitions.insert(event.partition);
    const std::string order = event.body.at("orderId").as_string().c_str();
    steps[order].push_back(event.body.at("step").to_number<std::int64_t>());
    partitions_of[order].insert(event.partition);
  }
  EXPECT_EQ(ids.size(), 24u) << "each event has an id of its own";
  EXPECT_GT(partitions.size(), 1u) << "eight orders keyed over six partitions";
  for (const auto& [order, seen] : steps) {
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3})) << order;
    EXPECT_EQ(partitions_of[order].size(), 1u) << order;
  }
}

TEST_F(KafkaInspection, AStreamMarkIncludesWhatWasStoredAndNotWhatCameAfter) {
  auto empty = platform::stream_mark(broker.url());
  ASSERT_EQ(empty.last.size(), static_cast<std::size_t>(kPartitions));
  for (const auto& [partition, last] : empty.last) EXPECT_EQ(last, -1) << partition;
  publish(4, 1);
  auto first = platform::stream_mark(broker.url());
  EXPECT_NE(first, empty);
  EXPECT_EQ(platform::stream_mark(broker.url()), first) << "nothing was stored in between";
  publish(4, 1, 5);
  auto events = platform::read_stream(broker.url());
  ASSERT_EQ(events.size(), 8u);
  int after_first = 0;
  for (const auto& event : events) {
    EXPECT_FALSE(empty.includes(event));
    const bool early = event.body.at("orderId").as_string() <= "o-4";
    EXPECT_EQ(first.includes(event), early) << event.body.at("orderId").as_string();
    after_first += first.includes(event) ? 0 : 1;
  }
  EXPECT_EQ(after_first, 4);
}

TEST_F(KafkaInspection, ConsumerStateCountsWhatTheGroupHasNotCommitted) {
  publish(3, 2);
  auto before = platform::consumer_state(broker.url(), "kitchen");
  EXPECT_FALSE(before.exists) << "no member of group kitchen ever committed";
  EXPECT_EQ(before.pending, 6u) << "a new group starts from the first record";
  {
    auto kitchen = member("kitchen", "kitchen");
    ASSERT_TRUE(eventually([&] { return kitchen.applied() == 6; }, kJoinWait)) << kitchen.applied();
    ASSERT_TRUE(eventually([&] { return platform::consumer_state(broker.url(), "kitchen").pending == 0; }, 10s));
    EXPECT_TRUE(platform::consumer_state(broker.url(), "kitchen").exists);
  }
  publish(2, 1, 10);
  auto later = platform::consumer_state(broker.url(), "kitchen");
  EXPECT_TRUE(later.exists);
  EXPECT_EQ(later.pending, 2u) << "stored after its member stopped";
  EXPECT_FALSE(later.bound) << "Kafka's mock does not tell members (ConsumerState::bound)";
}

TEST_F(KafkaInspection, AForgottenGroupReceivesTheWholeTopicAgainAndOnlyOnceNoMemberConsumes) {
  publish(3, 1);
  auto kitchen = member("kitchen", "kitchen");
  ASSERT_TRUE(eventually([&] { return kitchen.applied() == 3; }, kJoinWait)) << kitchen.applied();

  try {
    platform::forget_consumer(broker.url(), "kitchen");
    FAIL() << "forgotten while its member consumes";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("stop it first"), std::string::npos) << error.what();
  }
  EXPECT_EQ(platform::consumer_state(broker.url(), "kitchen").pending, 0u) << "the refusal committed nothing";
  publish(1, 1, 20);
  ASSERT_TRUE(eventually([&] { return kitchen.applied() == 4; }, kJoinWait)) << "the member consumes on after it";

  kitchen.messaging->stop();
  platform::forget_consumer(broker.url(), "kitchen");
  EXPECT_EQ(platform::consumer_state(broker.url(), "kitchen").pending, 4u);
  auto rebuilt = member("kitchen", "kitchen-rebuilt");  // an empty inbox: everything applies again
  EXPECT_TRUE(eventually([&] { return rebuilt.applied() == 4; }, kJoinWait)) << rebuilt.applied();
}

// (A topic that does not exist cannot be shown: the mock creates any topic a metadata
// request names, as its Metadata v2 has no AllowAutoTopicCreation to say otherwise.)
TEST(KafkaInspectionErrors, NameTheBrokersAndWhatFailed) {
  for (const auto& look : std::vector<std::function<void()>>{
           [] { platform::read_stream("kafka://127.0.0.1:1"); },
           [] { platform::stream_mark("kafka://127.0.0.1:1"); },
           [] { platform::consumer_state("kafka://127.0.0.1:1", "kitchen"); },
           [] { platform::forget_consumer("kafka://127.0.0.1:1", "kitchen"); },
       }) {
    try {
      look();
      ADD_FAILURE() << "no broker listens there";
    } catch (const std::runtime_error& error) {
      const std::string what = error.what();
      EXPECT_NE(what.find("cannot read topic fooddelivery"), std::string::npos) << what;
      EXPECT_NE(what.find("at kafka://127.0.0.1:1"), std::string::npos) << what;
    }
  }
  EXPECT_THROW(platform::stream_mark("kafka://no-port"), std::invalid_argument);
}

// `fooddelivery events --bus kafka://...`: every record's value, one per line, byte for byte.
TEST_F(KafkaInspection, TheEventsToolPrintsEveryPartitionsEventsAndWithLongWhereEachIsKept) {
  publish(5, 2);
  auto stored = platform::read_stream(broker.url());
  std::multiset<std::string> expected;
  for (const auto& event : stored) expected.insert(boost::json::serialize(event.body));

  auto plain = fd::test::run_command(kTool + " events --bus " + broker.url() + " 2>&1");
  ASSERT_EQ(plain.status, 0) << plain.output;
  std::multiset<std::string> printed;
  for (const auto& line : lines_of(plain.output)) printed.insert(boost::json::serialize(boost::json::parse(line)));
  EXPECT_EQ(printed, expected);

  auto detailed = fd::test::run_command("FD_BUS_URL=" + broker.url() + " " + kTool + " events --long 2>&1");
  ASSERT_EQ(detailed.status, 0) << detailed.output;
  auto lines = lines_of(detailed.output);
  ASSERT_EQ(lines.size(), stored.size()) << detailed.output;
  const std::regex shape(
      R"(^topic=fooddelivery partition=(\d+) offset=(\d+) id=(\S+) time=(\d{4}-\d\d-\d\dT\S+Z) headers=(\{[^}]*\}) (\{.*\})$)");
  std::map<std::pair<int, std::uint64_t>, std::string> ids;
  for (const auto& event : stored) ids[{event.partition, event.seq}] = event.id;
  for (const auto& line : lines) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, shape)) << line;
    EXPECT_EQ(match[3], (ids[{std::stoi(match[1]), std::stoull(match[2])}])) << line;
    auto headers = boost::json::parse(match[5].str());
    EXPECT_EQ(headers.at("type"), "OrderPlaced") << line;
    EXPECT_EQ(headers.at("event-id").as_string(), match[3].str()) << line;
  }

  auto by_subject = fd::test::run_command(kTool + " events --bus " + broker.url() + " --subject fooddelivery.X 2>&1");
  EXPECT_EQ(by_subject.status, 1) << by_subject.output;
  EXPECT_NE(by_subject.output.find("--subject is JetStream's"), std::string::npos) << by_subject.output;
}

// The filters on Kafka: offsets count per partition, so --from-seq N starts each at offset N.
TEST_F(KafkaInspection, TheEventsToolFiltersByOffsetTypeAndOrder) {
  publish(3, 2);
  auto stored = platform::read_stream(broker.url());
  auto count = [&](const std::string& options) {
    auto result = fd::test::run_command(kTool + " events --bus " + broker.url() + " " + options + " 2>&1");
    EXPECT_EQ(result.status, 0) << options << ": " << result.output;
    return lines_of(result.output).size();
  };
  std::size_t from_one = 0, of_order_2 = 0;
  for (const auto& event : stored) {
    from_one += event.seq >= 1;
    of_order_2 += platform::order_id_of(event.body) == "o-2";
  }
  EXPECT_EQ(count("--from-seq 1"), from_one);
  EXPECT_EQ(count("--order o-2"), of_order_2);
  EXPECT_EQ(of_order_2, 2u);
  EXPECT_EQ(count("--type OrderPlaced"), stored.size());
  EXPECT_EQ(count("--type PaymentApproved"), 0u);
  auto with_long = fd::test::run_command(kTool + " events --bus " + broker.url() + " -l --order o-2 2>&1");
  for (const auto& line : lines_of(with_long.output)) EXPECT_NE(line.find("\"o-2\""), std::string::npos) << line;
}

TEST_F(KafkaInspection, TheEventsToolFollowsTheTopicAndWithNewPrintsOnlyWhatCameAfter) {
  publish(1, 1);
  const std::string follow_log = dir + "/follow.log", new_log = dir + "/new.log";
  pid_t follower = fd::test::spawn({kTool, "events", "--bus", broker.url(), "--follow"}, follow_log);
  pid_t newcomer = fd::test::spawn({kTool, "events", "--bus", broker.url(), "--new"}, new_log);
  auto stop = [](pid_t pid) {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_TRUE(eventually([&] { return lines_of(read_file(follow_log)).size() == 1; }, 20s)) << read_file(follow_log);
  // --new starts wherever the topic ends once it opened: events go on until it prints one.
  int order = 100;
  EXPECT_TRUE(eventually(
      [&] {
        publish(1, 1, order++);
        return !lines_of(read_file(new_log)).empty();
      },
      30s))
      << read_file(new_log);
  EXPECT_EQ(stop(newcomer), 0);
  EXPECT_EQ(read_file(new_log).find("\"o-1\""), std::string::npos)
      << "stored before it started: " << read_file(new_log);
  EXPECT_TRUE(eventually([&] { return lines_of(read_file(follow_log)).size() == static_cast<std::size_t>(order - 99); },
                       20s))
      << read_file(follow_log);
  EXPECT_EQ(stop(follower), 0);
}

TEST_F(KafkaInspection, TheEventsToolFollowingTellsWhenTheBrokersAreGone) {
  publish(1, 1);
  const std::string log = dir + "/follow.log";
  pid_t follower = fd::test::spawn({kTool, "events", "--bus", broker.url(), "--follow"}, log);
  ASSERT_TRUE(eventually([&] { return lines_of(read_file(log)).size() == 1; }, 20s)) << read_file(log);
  ASSERT_TRUE(broker.stop());
  EXPECT_TRUE(eventually([&] { return read_file(log).find("retrying...") != std::string::npos; }, 30s)) << read_file(log);
  EXPECT_NE(read_file(log).find("at " + broker.url()), std::string::npos) << read_file(log);
  ::kill(follower, SIGTERM);
  int status = 0;
  ::waitpid(follower, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The same detail on JetStream: the stream sequence, the subject, the id, when and the headers.
TEST(JetStreamEvents, TheEventsToolLongShowsSequenceSubjectIdTimeAndHeaders) {
  fd::test::NatsServer nats;
  fd::test::create_stream(nats.url(), 1s);
  auto id = fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", 7}});
  auto result = fd::test::run_command("FD_BUS_URL= " + kTool + " events -l --nats " + nats.url() + " 2>&1");
  ASSERT_EQ(result.status, 0) << result.output;
  auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 1u) << result.output;
  std::smatch match;
  const std::regex shape(R"(^seq=1 subject=fooddelivery\.OrderPlaced\._\._\.payment\.store\.customer\._ id=(\S+) time=(\d{4}-\d\d-\d\dT\S+Z) headers=(\{[^}]*\}) (\{.*\})$)");
  ASSERT_TRUE(std::regex_match(lines[0], match, shape)) << lines[0];
  EXPECT_EQ(match[1], id);
  auto headers = boost::json::parse(match[3].str());
  EXPECT_EQ(headers.at("type"), "OrderPlaced");
  EXPECT_EQ(headers.at("Nats-Msg-Id").as_string(), id);
  EXPECT_EQ(boost::json::parse(match[4].str()).at("orderId"), 7);
}

// --from-seq, --type (repeatable) and --order choose the events; together, those matching all.
TEST(JetStreamEvents, TheEventsToolFiltersBySequenceTypeAndOrder) {
  fd::test::NatsServer nats;
  fd::test::create_stream(nats.url(), 1s);
  fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", 7}});       // seq 1
  fd::test::publish_event(nats.url(), "PaymentApproved", {{"orderId", 7}});   // seq 2
  fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", 8}});       // seq 3
  fd::test::publish_event(nats.url(), "OrderCanceled", {{"orderId", 7}});     // seq 4
  auto orders_of = [&](const std::string& options) {
    auto result = fd::test::run_command("FD_BUS_URL= " + kTool + " events " + options + " --nats " + nats.url() + " 2>&1");
    EXPECT_EQ(result.status, 0) << options << ": " << result.output;
    std::vector<std::string> shown;
    for (const auto& line : lines_of(result.output)) {
      auto body = boost::json::parse(line).as_object();
      shown.push_back(std::string(body.at("eventType").as_string()) + ":" + std::to_string(body.at("orderId").as_int64()));
    }
    return shown;
  };
  using Shown = std::vector<std::string>;
  EXPECT_EQ(orders_of("--from-seq 3"), (Shown{"OrderPlaced:8", "OrderCanceled:7"}));
  EXPECT_EQ(orders_of("--from-seq 5"), Shown{});
  EXPECT_EQ(orders_of("--type OrderPlaced"), (Shown{"OrderPlaced:7", "OrderPlaced:8"}));
  EXPECT_EQ(orders_of("--type OrderPlaced --type OrderCanceled"), (Shown{"OrderPlaced:7", "OrderPlaced:8", "OrderCanceled:7"}));
  EXPECT_EQ(orders_of("--order 7"), (Shown{"OrderPlaced:7", "PaymentApproved:7", "OrderCanceled:7"}));
  EXPECT_EQ(orders_of("--order 7 --type OrderPlaced --type OrderCanceled --from-seq 2"), (Shown{"OrderCanceled:7"}));
  auto unknown = fd::test::run_command(kTool + " events --type NoSuchEvent --nats " + nats.url() + " 2>&1");
  EXPECT_EQ(unknown.status, 2) << unknown.output;
}

// A read model's rebuild on Kafka: the customer group set back to the start, refused while
// a member consumes.
TEST_F(KafkaInspection, RebuildingTheCustomerViewSetsItsGroupBackAndIsRefusedWhileItConsumes) {
  publish(3, 1);
  auto customer = member("customer", "customer-service");
  ASSERT_TRUE(eventually([&] { return customer.applied() == 3; }, kJoinWait));
  const std::string rebuild = "FD_DB_URL=sqlite:" + dir + "/customer.db FD_BUS_URL=" + broker.url() + " " +
                              FD_BUILD_DIR + "/bin/fd-customer --rebuild 2>&1";
  auto refused = fd::test::run_command(rebuild);
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("stop it first"), std::string::npos) << refused.output;

  customer.messaging->stop();
  auto done = fd::test::run_command(rebuild);
  ASSERT_EQ(done.status, 0) << done.output;
  EXPECT_NE(done.output.find(broker.url()), std::string::npos) << done.output;
  EXPECT_EQ(platform::consumer_state(broker.url(), "customer").pending, 3u);
}

// What a BusTail took, (partition, position) in the order it took them.
struct Taken {
  std::mutex mutex;
  std::vector<std::pair<int, std::uint64_t>> events;
  std::function<void(const platform::TailedEvent&)> recorder() {
    return [this](const platform::TailedEvent& event) {
      std::lock_guard lock(mutex);
      events.emplace_back(event.partition, event.position);
    };
  }
  std::vector<std::pair<int, std::uint64_t>> all() {
    std::lock_guard lock(mutex);
    return events;
  }
};

std::vector<std::uint64_t> kept_positions(const platform::BusTail& tail) {
  std::uint64_t next = 0;
  std::vector<std::uint64_t> out;
  for (const auto& event : tail.since(0, next)) out.push_back(event->position);
  return out;
}

// A stream holds a week of events: a tail that keeps the newest 5 starts at them instead of
// reading every older one only to drop it, then takes each new one.
TEST(BusTails, AtItsStartATailOnJetStreamReadsOnlyTheNewestEventsItKeeps) {
  fd::test::NatsServer nats;
  fd::test::create_stream(nats.url(), 1s);
  for (int order = 1; order <= 12; ++order) fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", order}});
  Taken taken;
  platform::BusTail tail(platform::BusEndpoint(nats.url()), 5, taken.recorder());
  using Positions = std::vector<std::uint64_t>;
  ASSERT_TRUE(eventually([&] { return kept_positions(tail) == Positions{8, 9, 10, 11, 12}; }, 20s));
  fd::test::publish_event(nats.url(), "OrderPlaced", {{"orderId", 13}});
  ASSERT_TRUE(eventually([&] { return kept_positions(tail) == Positions{9, 10, 11, 12, 13}; }, 20s));
  using Pairs = std::vector<std::pair<int, std::uint64_t>>;
  EXPECT_EQ(taken.all(), (Pairs{{0, 8}, {0, 9}, {0, 10}, {0, 11}, {0, 12}, {0, 13}}));
}

// The first stream of a process waits for its tail to read what the bus holds (so that it
// starts from its opening), but not for a bus the tail cannot reach: the stream goes on at
// once with what is held, as one opened before the tail began would, instead of holding an
// HTTP thread until its limit.
TEST(BusTails, AWaitForATailThatCannotReachTheBusEndsAtItsFirstAttempt) {
  const auto nobody = "nats://127.0.0.1:" + std::to_string(fd::test::free_port());
  platform::BusTail tail{platform::BusEndpoint(nobody), 5};
  const auto began = std::chrono::steady_clock::now();
  tail.wait_read_up(60s);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 30s) << "it waited for the limit";
  std::uint64_t next = 0;
  EXPECT_TRUE(tail.since(0, next).empty());
}

// On Kafka, whose order is by partition only: the newest 2 of each partition.
TEST_F(KafkaInspection, AtItsStartATailOnKafkaReadsOnlyEachPartitionsNewestEvents) {
  publish(8, 3);
  std::map<int, std::vector<std::uint64_t>> held;
  for (const auto& event : platform::read_stream(broker.url())) held[event.partition].push_back(event.seq);
  std::set<std::pair<int, std::uint64_t>> newest;
  for (const auto& [partition, offsets] : held)
    for (auto it = offsets.size() > 2 ? offsets.end() - 2 : offsets.begin(); it != offsets.end(); ++it)
      newest.emplace(partition, *it);
  ASSERT_LT(newest.size(), 24u) << "every partition holds 2 events or fewer: nothing to leave out";

  Taken taken;
  platform::BusTail tail(platform::BusEndpoint(broker.url()), 2, taken.recorder());
  tail.wait_read_up(20s);  // it begins reading here
  ASSERT_TRUE(eventually([&] { return taken.all().size() >= newest.size(); }, 20s)) << taken.all().size();
  auto all = taken.all();
  EXPECT_EQ((std::set<std::pair<int, std::uint64_t>>(all.begin(), all.end())), newest);
  EXPECT_EQ(all.size(), newest.size());
  EXPECT_EQ(kept_positions(tail).size(), 2u);
}

TEST(ChaosParts, TheKafkaBrokerIsNeverKilledAndNoNatsPartRunsBesideKafka) {
  auto kafka = fd::test::run_command(kTool + " chaos --parts order,kafka 2>&1");
  EXPECT_EQ(kafka.status, 2) << kafka.output;
  EXPECT_NE(kafka.output.find("keeps nothing on disk"), std::string::npos) << kafka.output;
  auto nats = fd::test::run_command("FD_BUS_URL=kafka://127.0.0.1:9092 " + kTool + " chaos --parts order,nats 2>&1");
  EXPECT_EQ(nats.status, 2) << nats.output;
  EXPECT_NE(nats.output.find("'nats' does not run when the bus is Kafka"), std::string::npos) << nats.output;
}

}  // namespace
