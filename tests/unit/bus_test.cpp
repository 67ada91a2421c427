// The bus's identities and permissions (platform/bus_access.hpp), the endpoints that log in
// as them, and the consumer's refusal of an event that says it is another than its subject's.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "consumer.hpp"  // platform/src: the inbox side of a delivery, without a broker
#include "contracts/events.hpp"
#include "platform/bus_access.hpp"
#include "platform/clock.hpp"
#include "platform/db.hpp"
#include "platform/messaging.hpp"
#include "platform/nats_options.hpp"
#include "platform/trace.hpp"

namespace {

using Subjects = std::vector<std::string>;

platform::BusIdentity identity(const std::string& name) {
  auto all = platform::bus_identities();
  auto found = std::find_if(all.begin(), all.end(), [&](const auto& identity) { return identity.name == name; });
  if (found == all.end()) throw std::out_of_range("no bus identity " + name);
  return *found;
}

TEST(BusAccess, EveryServiceViewerAndAdminHaveAnIdentity) {
  std::vector<std::string> names;
  for (const auto& identity : platform::bus_identities()) names.push_back(identity.name);
  EXPECT_EQ(names, (Subjects{"auth", "customer", "order", "payment", "rider", "store", "viewer", "admin"}));
}

// The whole list, spelled out: a change to what the order service may do shows here.
TEST(BusAccess, TheOrderServicePublishesItsOwnEventsAndUsesOnlyItsOwnConsumerAndInbox) {
  const auto& order = identity("order");
  EXPECT_EQ(order.publish, (Subjects{"fooddelivery.OrderPlaced._._.payment.store.customer._",
                                     "fooddelivery.OrderCanceled._._.payment.store.customer._",
                                     "fooddelivery.DeliveryConfirmed._._.payment._.customer.rider",
                                     "fooddelivery.OrderReviewed._._._.store._._",
                                     "$JS.API.STREAM.INFO.fooddelivery", "$JS.API.STREAM.CREATE.fooddelivery",
                                     "$JS.API.STREAM.UPDATE.fooddelivery", "$JS.API.CONSUMER.INFO.fooddelivery.order",
                                     "$JS.API.CONSUMER.DURABLE.CREATE.fooddelivery.order",
                                     "$JS.API.CONSUMER.DELETE.fooddelivery.order", "$JS.ACK.fooddelivery.order.>"}));
  EXPECT_TRUE(order.publish_denied.empty());
  EXPECT_EQ(order.subscribe, (Subjects{"_INBOX_order.>", "_DELIVER.fooddelivery.order"}));
  EXPECT_FALSE(order.unrestricted);
}

TEST(BusAccess, EachServicePublishesExactlyTheEventsItsContractSaysItProduces) {
  for (const auto& identity : platform::bus_identities()) {
    if (identity.name == "viewer" || identity.name == "admin") continue;
    std::set<std::string> expected, events;
    for (const auto& contract : contracts::kCatalogue)
      if (contract.producer == identity.name) expected.insert(platform::event_subject("fooddelivery.", contract.type));
    for (const auto& subject : identity.publish)
      if (subject.starts_with("fooddelivery.")) events.insert(subject);
    EXPECT_EQ(events, expected) << identity.name;
    for (const auto& subject : identity.subscribe)
      EXPECT_FALSE(subject.starts_with("fooddelivery") || subject.starts_with("_INBOX.") || subject == ">")
          << identity.name << " may listen to " << subject;
  }
}

// Each event's subject names the services that react to it, and each service's filter
// matches exactly the subjects that name it: the events its reactions take, and no other.
TEST(BusAccess, AnEventsSubjectNamesTheServicesThatReactToItAndEachServiceFiltersOnItsName) {
  EXPECT_EQ(platform::event_subject("fooddelivery.", "OrderPlaced"), "fooddelivery.OrderPlaced._._.payment.store.customer._");
  EXPECT_EQ(platform::event_subject("fooddelivery.", "TokenRevoked"),
            "fooddelivery.TokenRevoked.auth.order.payment.store.customer.rider");
  EXPECT_EQ(platform::event_subject("fooddelivery.", "Unheard"), "fooddelivery.Unheard._._._._._._");
  EXPECT_EQ(platform::audience_filter("fooddelivery.", "store"), "fooddelivery.*.*.*.*.store.*.*");
  EXPECT_EQ(platform::audience_filter("fooddelivery.", "kitchen"), "");
  EXPECT_EQ(platform::subject_type("fooddelivery.", "fooddelivery.OrderPlaced._._.payment.store.customer._"),
            "OrderPlaced");
  EXPECT_EQ(platform::subject_type("fooddelivery.", "fooddelivery.OrderPlaced"), "OrderPlaced");  // before audiences
  EXPECT_EQ(platform::subject_type("fooddelivery.", "elsewhere.OrderPlaced"), "");

  // NATS matching, token by token: '*' matches any one token.
  auto matches = [](const std::string& filter, const std::string& subject) {
    auto tokens = [](const std::string& text) {
      std::vector<std::string> out;
      for (std::size_t at = 0;;) {
        auto end = text.find('.', at);
        out.push_back(text.substr(at, end - at));
        if (end == std::string::npos) return out;
        at = end + 1;
      }
    };
    auto f = tokens(filter), s = tokens(subject);
    if (f.size() != s.size()) return false;
    for (std::size_t i = 0; i < f.size(); ++i)
      if (f[i] != "*" && f[i] != s[i]) return false;
    return true;
  };
  for (auto service : contracts::kServices) {
    auto filter = platform::audience_filter("fooddelivery.", service);
    for (const auto& contract : contracts::kCatalogue)
      EXPECT_EQ(matches(filter, platform::event_subject("fooddelivery.", contract.type)),
                contracts::consumed_by(contract, service))
          << service << " and " << contract.type;
  }
}

TEST(BusAccess, TheViewerReadsThroughItsOwnConsumersAndPublishesNoEvent) {
  const auto& viewer = identity("viewer");
  EXPECT_EQ(viewer.publish,
            (Subjects{"$JS.API.STREAM.INFO.fooddelivery", "$JS.API.CONSUMER.CREATE.fooddelivery",
                      "$JS.API.CONSUMER.INFO.fooddelivery.*", "$JS.API.CONSUMER.DELETE.fooddelivery.*",
                      "$JS.FC.fooddelivery.>"}));
  EXPECT_EQ(viewer.publish_denied,
            (Subjects{"$JS.API.CONSUMER.DELETE.fooddelivery.auth", "$JS.API.CONSUMER.DELETE.fooddelivery.customer",
                      "$JS.API.CONSUMER.DELETE.fooddelivery.order", "$JS.API.CONSUMER.DELETE.fooddelivery.payment",
                      "$JS.API.CONSUMER.DELETE.fooddelivery.rider", "$JS.API.CONSUMER.DELETE.fooddelivery.store"}));
  EXPECT_EQ(viewer.subscribe, (Subjects{"_INBOX_viewer.>"}));
}

TEST(BusAccess, TheConfigurationGivesEachUserItsPasswordVariableAndAdminNoLimits) {
  auto config = platform::nats_authorization(platform::bus_identities());
  EXPECT_TRUE(config.starts_with("authorization {\n  users = [\n")) << config;
  EXPECT_NE(config.find("user: \"order\"\n      password: $NATS_PASSWORD_ORDER\n      permissions: {"), std::string::npos)
      << config;
  EXPECT_NE(config.find("user: \"admin\"\n      password: $NATS_PASSWORD_ADMIN\n    }"), std::string::npos) << config;
  EXPECT_NE(config.find("deny: [\n            \"$JS.API.CONSUMER.DELETE.fooddelivery.auth\""), std::string::npos) << config;
  EXPECT_EQ(config.find("no_auth_user"), std::string::npos);
}

TEST(BusAccess, AnInboxIsNamedOnlyByAPlainIdentity) {
  EXPECT_EQ(platform::inbox_prefix("order"), "_INBOX_order");
  EXPECT_EQ(platform::deliver_subject("fooddelivery", "order"), "_DELIVER.fooddelivery.order");
  for (const char* bad : {"", "a.b", "*", ">", "a b"}) EXPECT_THROW(platform::inbox_prefix(bad), std::invalid_argument) << bad;
}

TEST(NatsEndpoint, ShowsItsIdentityButNeverItsPassword) {
  platform::NatsEndpoint admin("nats://admin:s3cret@127.0.0.1:4222");
  EXPECT_EQ(admin.identity(), "admin");
  EXPECT_EQ(admin.where(), "nats://admin@127.0.0.1:4222");
  platform::NatsEndpoint order{"nats://127.0.0.1:4222", "order", "s3cret"};
  EXPECT_EQ(order.identity(), "order");
  EXPECT_EQ(order.where(), "nats://order@127.0.0.1:4222");
  platform::NatsEndpoint anonymous("nats://127.0.0.1:4222");
  EXPECT_EQ(anonymous.identity(), "");
  EXPECT_EQ(anonymous.where(), "nats://127.0.0.1:4222");
  auto from = platform::NatsEndpoint::from(platform::Config({{"NATS_URL", "nats://nats:4222"}, {"NATS_USER", "rider"},
                                                             {"NATS_PASSWORD", "p@ss:word"}}));
  EXPECT_EQ(from.user, "rider");
  EXPECT_EQ(from.password, "p@ss:word");
  EXPECT_EQ(from.where(), "nats://rider@nats:4222");
}

TEST(NatsEndpoint, AClusterIsAListOfServersEachShownWithoutItsPassword) {
  platform::NatsEndpoint admin("nats://admin:s3cret@127.0.0.1:4222, nats://admin:s3cret@127.0.0.1:4322,"
                               "nats://admin:s3cret@127.0.0.1:4422");
  EXPECT_EQ(admin.identity(), "admin");
  EXPECT_EQ(admin.where(), "nats://admin@127.0.0.1:4222,nats://admin@127.0.0.1:4322,nats://admin@127.0.0.1:4422");
  platform::NatsEndpoint order{"nats://127.0.0.1:4222,nats://127.0.0.1:4322", "order", "s3cret"};
  EXPECT_EQ(order.identity(), "order");
  EXPECT_EQ(order.where(), "nats://order@127.0.0.1:4222,nats://order@127.0.0.1:4322");
}

TEST(NatsEndpoint, NoServerAtAllIsRefusedWithItsSetting) {
  natsOptions* options = nullptr;
  ASSERT_EQ(natsOptions_Create(&options), NATS_OK);
  for (const char* urls : {"", " , "}) {
    try {
      platform::use_endpoint(options, platform::NatsEndpoint(urls));
      ADD_FAILURE() << "'" << urls << "' accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("FD_NATS_URL"), std::string::npos) << error.what();
    }
  }
  natsOptions_Destroy(options);
}

// A delivery as the bus hands it to the consumer; `reacted` counts the reactions that ran.
class Consumer : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kMaxDeliver = 3;

  Consumer() : db(platform::open_database("sqlite::memory:")) {
    platform::migrate_messaging(*db);
    for (const char* type : {"OrderPlaced", "PaymentApproved"})
      reactions[type] = [this, type](platform::Db&, const platform::ReceivedEvent& event) {
        if (refuse) throw std::runtime_error("store " + refuse_reason);
        if (too_early || too_early_ids.contains(event.id)) throw platform::TooEarly("not yet");
        reacted.push_back(type);
      };
    db->on_commit([this] { ++commits; });
  }

  platform::Verdict deliver(const std::string& subject_type, const std::string& header_type, const std::string& body,
                            std::uint64_t attempt = 1) {
    platform::Delivery delivery;
    delivery.id = "event-1";
    delivery.type = subject_type;
    delivery.header_type = header_type;
    delivery.body = body;
    delivery.attempt = attempt;
    delivery.headers = {{"type", header_type}, {"Nats-Msg-Id", "event-1"}};
    return platform::consume(*db, reactions, {&delivery, 1}, kMaxDeliver).at(0);
  }

  // A well-formed delivery of `type` for order 7, with its own id.
  static platform::Delivery delivery_of(const std::string& type, const std::string& id, const std::string& body) {
    platform::Delivery delivery;
    delivery.id = id;
    delivery.type = delivery.header_type = type;
    delivery.body = body;
    delivery.headers = {{"type", type}, {"Nats-Msg-Id", id}};
    return delivery;
  }

  std::int64_t inbox() { return db->query_one("SELECT COUNT(*) FROM fd_inbox")->integer(0); }
  std::int64_t dead() { return db->query_one("SELECT COUNT(*) FROM fd_dead_letters")->integer(0); }

  std::unique_ptr<platform::Db> db;
  std::map<std::string, platform::Reaction> reactions;
  std::vector<std::string> reacted;
  bool refuse = false;
  bool too_early = false;
  std::set<std::string> too_early_ids;
  std::string refuse_reason = "closed";
  int commits = 0;
};

const std::string kApproved = R"({"eventType":"PaymentApproved","timestamp":1,"orderId":7,"customerId":"c","amount":1})";

TEST_F(Consumer, AppliesAnEventWhoseHeaderAndBodySayTheTypeOfItsSubject) {
  EXPECT_EQ(deliver("PaymentApproved", "PaymentApproved", kApproved).kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(reacted, (std::vector<std::string>{"PaymentApproved"}));
  EXPECT_EQ(inbox(), 1);
  EXPECT_EQ(dead(), 0);
}

// The order service may publish on fooddelivery.OrderPlaced only: what comes there and says it
// is a PaymentApproved is a forgery, refused for good: acknowledged into the dead letters at
// its first delivery, never applied.
TEST_F(Consumer, RefusesAnEventThatSaysItIsAnotherTypeThanItsSubjects) {
  EXPECT_EQ(deliver("OrderPlaced", "PaymentApproved", kApproved).kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(dead(), 1);
  for (const auto& [subject, header, body, why] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"OrderPlaced", "OrderPlaced", kApproved, "the body's eventType must be the subject's type too"},
           {"OrderPlaced", "", R"({"eventType":"OrderPlaced","orderId":7})", "an event without its type header"},
           {"OrderPlaced", "OrderPlaced", R"({"orderId":7})", "a body without eventType"},
           {"", "PaymentApproved", kApproved, "a subject outside the stream's prefix"}}) {
    db->exec("DELETE FROM fd_dead_letters");
    EXPECT_EQ(deliver(subject, header, body).kind, platform::Verdict::Kind::Ack) << why;
    EXPECT_EQ(dead(), 1) << why;
  }
  EXPECT_TRUE(reacted.empty());
  EXPECT_EQ(inbox(), 0);
  // Replayed, it is refused again and kept.
  auto replays = platform::replay_dead_letters(*db, reactions, "event-1");
  ASSERT_EQ(replays.size(), 1u);
  EXPECT_FALSE(replays[0].applied);
  EXPECT_NE(replays[0].error.find("outside the stream's subjects"), std::string::npos) << replays[0].error;
  EXPECT_EQ(dead(), 1);
  EXPECT_TRUE(reacted.empty());
}

TEST_F(Consumer, AMalformedBodyGoesToTheDeadLettersAtOnce) {
  EXPECT_EQ(deliver("PaymentApproved", "PaymentApproved", "{not json").kind, platform::Verdict::Kind::Ack);
  auto letters = platform::dead_letters(*db);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].body, "{not json");
  EXPECT_EQ(letters[0].attempts, 1);
  EXPECT_NE(letters[0].error.find("malformed"), std::string::npos) << letters[0].error;
}

// A failing reaction is retried with a backoff until its max_deliver-th delivery, which keeps
// it in the dead letters with what is needed to replay it; the replay applies it through the
// inbox once the cause is gone.
TEST_F(Consumer, AFailingEventIsRetriedThenKeptAsADeadLetterAndReplayed) {
  refuse = true;
  for (std::uint64_t attempt = 1; attempt < kMaxDeliver; ++attempt) {
    auto verdict = deliver("PaymentApproved", "PaymentApproved", kApproved, attempt);
    EXPECT_EQ(verdict.kind, platform::Verdict::Kind::Nak) << attempt;
    EXPECT_GT(verdict.delay.count(), 0);
    EXPECT_EQ(dead(), 0);
  }
  EXPECT_EQ(deliver("PaymentApproved", "PaymentApproved", kApproved, kMaxDeliver).kind, platform::Verdict::Kind::Ack);
  auto letters = platform::dead_letters(*db);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].id, "event-1");
  EXPECT_EQ(letters[0].type, "PaymentApproved");
  EXPECT_EQ(letters[0].body, kApproved);
  EXPECT_EQ(letters[0].headers.at("Nats-Msg-Id").as_string(), "event-1");
  EXPECT_EQ(letters[0].error, "store closed");
  EXPECT_EQ(letters[0].attempts, static_cast<std::int64_t>(kMaxDeliver));
  EXPECT_GT(letters[0].failed_at, 0);
  EXPECT_EQ(inbox(), 0);

  refuse_reason = "still closed";
  auto again = platform::replay_dead_letters(*db, reactions, "");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_FALSE(again[0].applied);
  EXPECT_EQ(platform::dead_letters(*db).at(0).error, "store still closed");
  EXPECT_EQ(platform::dead_letters(*db).at(0).attempts, static_cast<std::int64_t>(kMaxDeliver) + 1);

  refuse = false;
  auto replays = platform::replay_dead_letters(*db, reactions, "event-1");
  ASSERT_EQ(replays.size(), 1u);
  EXPECT_TRUE(replays[0].applied) << replays[0].error;
  EXPECT_EQ(reacted, (std::vector<std::string>{"PaymentApproved"}));
  EXPECT_EQ(inbox(), 1);
  EXPECT_EQ(dead(), 0);
  EXPECT_TRUE(platform::replay_dead_letters(*db, reactions, "event-1").empty());
}

// An event that came before the one it follows is bounded by the same count (its retries
// are quicker: FD_MAX_DELIVER's default gives it ~11 s).
TEST_F(Consumer, ATooEarlyEventIsRetriedQuicklyUpToTheSameBound) {
  too_early = true;
  auto first = deliver("PaymentApproved", "PaymentApproved", kApproved, 1);
  EXPECT_EQ(first.kind, platform::Verdict::Kind::Nak);
  EXPECT_EQ(first.delay.count(), 100);
  EXPECT_EQ(deliver("PaymentApproved", "PaymentApproved", kApproved, kMaxDeliver).kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(dead(), 1);
}

const std::string kPlaced =
    R"({"eventType":"OrderPlaced","timestamp":1,"orderId":7,"customerId":"c","storeId":1,"totalPrice":1})";

// What arrived together is applied in one transaction (one commit), in the order it came, and
// each event is acknowledged; a copy of an event in the same batch has no second effect.
TEST_F(Consumer, ABatchIsAppliedInItsOrderInOneTransaction) {
  std::vector<platform::Delivery> batch{delivery_of("OrderPlaced", "event-1", kPlaced),
                                        delivery_of("PaymentApproved", "event-2", kApproved),
                                        delivery_of("PaymentApproved", "event-2", kApproved)};
  auto verdicts = platform::consume(*db, reactions, batch, kMaxDeliver);
  ASSERT_EQ(verdicts.size(), 3u);
  for (const auto& verdict : verdicts) EXPECT_EQ(verdict.kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(reacted, (std::vector<std::string>{"OrderPlaced", "PaymentApproved"}));
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(inbox(), 2);
}

// One event of a batch that cannot be applied yet takes nothing of the others with it: the
// batch's transaction is rolled back, each event is applied alone, and only that one is
// delivered again.
TEST_F(Consumer, AnEventOfABatchThatFailsIsDeliveredAgainAndTheOthersAreApplied) {
  too_early_ids = {"event-2"};
  std::vector<platform::Delivery> batch{delivery_of("OrderPlaced", "event-1", kPlaced),
                                        delivery_of("PaymentApproved", "event-2", kApproved),
                                        delivery_of("PaymentApproved", "event-3", kApproved),
                                        delivery_of("OrderPlaced", "event-4", "{not json")};
  auto verdicts = platform::consume(*db, reactions, batch, kMaxDeliver);
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_EQ(verdicts[0].kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(verdicts[1].kind, platform::Verdict::Kind::Nak);
  EXPECT_EQ(verdicts[2].kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(verdicts[3].kind, platform::Verdict::Kind::Ack);  // malformed: into the dead letters
  // event-1 ran in the batch's transaction, which was rolled back, then alone with event-3.
  EXPECT_EQ(reacted, (std::vector<std::string>{"OrderPlaced", "OrderPlaced", "PaymentApproved"}));
  EXPECT_EQ(db->query_one("SELECT COUNT(*) FROM fd_inbox WHERE id IN ('event-1', 'event-3')")->integer(0), 2);
  EXPECT_EQ(inbox(), 2);
  EXPECT_EQ(dead(), 1);
}

// On Kafka a nak sends the event's partition back to it: the later events of that partition
// wait unapplied (nak'ed) to come again after it, in order, while the other partitions' and the
// earlier ones are applied.
TEST_F(Consumer, AfterAFailingEventTheLaterOnesOfItsPartitionWaitUnapplied) {
  too_early_ids = {"event-2"};
  std::vector<platform::Delivery> batch{delivery_of("OrderPlaced", "event-1", kPlaced),
                                        delivery_of("PaymentApproved", "event-2", kApproved),
                                        delivery_of("OrderPlaced", "event-3", kPlaced),
                                        delivery_of("PaymentApproved", "event-4", kApproved),
                                        delivery_of("OrderPlaced", "event-5", kPlaced)};
  for (auto* delivery : {&batch[0], &batch[1], &batch[3], &batch[4]}) delivery->partition = 0;
  batch[2].partition = 1;
  auto verdicts = platform::consume(*db, reactions, batch, kMaxDeliver);
  ASSERT_EQ(verdicts.size(), 5u);
  EXPECT_EQ(verdicts[0].kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(verdicts[1].kind, platform::Verdict::Kind::Nak);
  EXPECT_EQ(verdicts[2].kind, platform::Verdict::Kind::Ack);  // another partition
  EXPECT_EQ(verdicts[3].kind, platform::Verdict::Kind::Nak);  // these two wait behind event-2
  EXPECT_EQ(verdicts[4].kind, platform::Verdict::Kind::Nak);
  EXPECT_EQ(reacted, (std::vector<std::string>{"OrderPlaced", "OrderPlaced", "OrderPlaced"}));  // rolled back, then 1 and 3
  EXPECT_EQ(db->query_one("SELECT COUNT(*) FROM fd_inbox WHERE id IN ('event-1', 'event-3')")->integer(0), 2);
  EXPECT_EQ(inbox(), 2);
}

// Applied together, each event's reaction still runs in its own event's trace.
TEST_F(Consumer, EachEventOfABatchWritesInItsOwnTrace) {
  reactions["OrderPlaced"] = [](platform::Db& tx, const platform::ReceivedEvent& event) {
    platform::append_events(tx, platform::events(contracts::OrderAccepted{std::stoll(event.order_id()), "owner1", 1}));
  };
  std::vector<platform::Delivery> batch;
  std::vector<platform::trace::TraceContext> traces;
  for (int i = 1; i <= 3; ++i) {
    traces.push_back(platform::trace::start());
    batch.push_back(delivery_of("OrderPlaced", "event-" + std::to_string(i), kPlaced));
    batch.back().headers.emplace_back("traceparent", traces.back().traceparent());
  }
  for (const auto& verdict : platform::consume(*db, reactions, batch, kMaxDeliver))
    EXPECT_EQ(verdict.kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(commits, 1);
  auto rows = db->query("SELECT traceparent FROM fd_outbox ORDER BY seq");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto written = platform::trace::parse(rows[i].text(0));
    ASSERT_TRUE(written);
    EXPECT_EQ(written->trace(), traces[i].trace()) << i;
  }
}

// The reaction runs in the trace the event was written in, and what it writes to the outbox
// carries it on.
TEST_F(Consumer, AReactionRunsInTheEventsTraceAndItsEventsCarryIt) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  std::string reacted_in;
  reactions["PaymentApproved"] = [&](platform::Db& tx, const platform::ReceivedEvent&) {
    const auto* current = platform::trace::current();
    reacted_in = current ? std::string(current->trace()) : "(no trace)";
    platform::append_events(tx, platform::events(contracts::OrderAccepted{7, "owner1", 1}));
  };
  platform::Delivery delivery;
  delivery.id = "event-1";
  delivery.type = delivery.header_type = "PaymentApproved";
  delivery.body = kApproved;
  delivery.headers = {{"type", "PaymentApproved"}, {"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}};
  EXPECT_EQ(platform::consume(*db, reactions, {&delivery, 1}, kMaxDeliver).at(0).kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(reacted_in, trace);
  EXPECT_EQ(platform::trace::current(), nullptr);  // the trace ends with the delivery
  auto written = platform::trace::parse(db->query_one("SELECT traceparent FROM fd_outbox")->text(0));
  ASSERT_TRUE(written);
  EXPECT_EQ(written->trace(), trace);
}

// Outside any trace an event is written without one; an outbox made before events carried
// their trace gets the column.
TEST(Outbox, AnOutboxWithoutTheTraceColumnGetsItAndEventsKeepTheirWritersTrace) {
  auto db = platform::open_database("sqlite::memory:");
  db->script("CREATE TABLE fd_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
             " type TEXT NOT NULL, order_id TEXT, body TEXT NOT NULL, created_at INTEGER NOT NULL);");
  platform::migrate_messaging(*db);
  platform::migrate_messaging(*db);  // a restart finds it there
  auto accepted = platform::events(contracts::OrderAccepted{7, "owner1", 1});
  db->transaction([&](platform::Db& tx) { platform::append_events(tx, accepted); });
  const auto request = platform::trace::start();
  {
    platform::trace::Scope scope(request);
    db->transaction([&](platform::Db& tx) { platform::append_events(tx, accepted); });
  }
  auto rows = db->query("SELECT traceparent FROM fd_outbox ORDER BY seq");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].is_null(0));
  EXPECT_EQ(rows[1].text(0), request.traceparent());
}

// An event's timestamp is when it was appended, unless the transition said when it happened.
TEST(Outbox, AnEventKeepsTheTimeItsTransitionGaveItAndOtherwiseGetsTheAppendsTime) {
  auto db = platform::open_database("sqlite::memory:");
  platform::migrate_messaging(*db);
  const auto before = platform::now_ms();
  db->transaction([&](platform::Db& tx) {
    platform::append_events(tx, platform::events_at(1'700'000'000'123, contracts::OrderAccepted{7, "owner1", 1}));
    platform::append_events(tx, platform::events(contracts::OrderAccepted{8, "owner1", 1}));
  });
  auto rows = db->query("SELECT body FROM fd_outbox ORDER BY seq");
  ASSERT_EQ(rows.size(), 2u);
  auto given = boost::json::parse(rows[0].text(0)).as_object();
  EXPECT_EQ(given.at("timestamp").as_int64(), 1'700'000'000'123);
  EXPECT_EQ(given.begin()->key(), "eventType");  // the seeds' order: eventType, timestamp, the fields
  EXPECT_EQ(std::next(given.begin())->key(), "timestamp");
  auto appended = boost::json::parse(rows[1].text(0)).as_object();
  EXPECT_GE(appended.at("timestamp").as_int64(), before);
  EXPECT_LE(appended.at("timestamp").as_int64(), platform::now_ms());
}

TEST(MessagingOptions, TheStreamKeepsEventsAtLeastAsLongAsTheirRedeliveriesAndTheDuplicateWindow) {
  platform::MessagingOptions options;
  EXPECT_EQ(options.max_deliver, 10u);
  EXPECT_EQ(options.stream_max_age, std::chrono::hours(24 * 7));
  EXPECT_EQ(options.stream_duplicate_window, std::chrono::seconds(30));
  EXPECT_EQ(options.min_stream_max_age(), std::chrono::seconds(350));
  options.max_deliver = 1;
  EXPECT_EQ(options.min_stream_max_age(), std::chrono::seconds(35));
  options.stream_duplicate_window = std::chrono::minutes(2);
  EXPECT_EQ(options.min_stream_max_age(), std::chrono::seconds(120));
}

}  // namespace
