// The bus's identities and permissions (platform/bus_access.hpp), the endpoints that log in
// as them, and the consumer's refusal of an event that says it is another than its subject's.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "consumer.hpp"  // platform/src: the inbox side of a delivery, without a broker
#include "contracts/events.hpp"
#include "platform/bus_access.hpp"
#include "platform/db.hpp"
#include "platform/messaging.hpp"
#include "platform/nats_options.hpp"

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
  EXPECT_EQ(order.publish, (Subjects{"fooddelivery.OrderPlaced", "fooddelivery.OrderCanceled",
                                     "fooddelivery.DeliveryConfirmed", "fooddelivery.OrderReviewed",
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
      if (contract.producer == identity.name) expected.insert("fooddelivery." + std::string(contract.type));
    for (const auto& subject : identity.publish)
      if (subject.starts_with("fooddelivery.")) events.insert(subject);
    EXPECT_EQ(events, expected) << identity.name;
    for (const auto& subject : identity.subscribe)
      EXPECT_FALSE(subject.starts_with("fooddelivery") || subject.starts_with("_INBOX.") || subject == ">")
          << identity.name << " may listen to " << subject;
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
  Consumer() : db(platform::open_database("sqlite::memory:")) {
    platform::migrate_messaging(*db);
    for (const char* type : {"OrderPlaced", "PaymentApproved"})
      reactions[type] = [this, type](platform::Db&, const platform::ReceivedEvent&) { reacted.push_back(type); };
  }

  platform::Verdict deliver(const std::string& subject_type, const std::string& header_type, const std::string& body) {
    platform::Delivery delivery;
    delivery.id = "event-1";
    delivery.type = subject_type;
    delivery.header_type = header_type;
    delivery.body = body;
    return platform::consume(*db, reactions, delivery);
  }

  std::int64_t inbox() { return db->query_one("SELECT COUNT(*) FROM fd_inbox")->integer(0); }

  std::unique_ptr<platform::Db> db;
  std::map<std::string, platform::Reaction> reactions;
  std::vector<std::string> reacted;
};

const std::string kApproved = R"({"eventType":"PaymentApproved","timestamp":1,"orderId":7,"customerId":"c","amount":1})";

TEST_F(Consumer, AppliesAnEventWhoseHeaderAndBodySayTheTypeOfItsSubject) {
  EXPECT_EQ(deliver("PaymentApproved", "PaymentApproved", kApproved).kind, platform::Verdict::Kind::Ack);
  EXPECT_EQ(reacted, (std::vector<std::string>{"PaymentApproved"}));
  EXPECT_EQ(inbox(), 1);
}

// The order service may publish on fooddelivery.OrderPlaced only: what comes there and says it
// is a PaymentApproved is a forgery, and is dropped for good (never redelivered).
TEST_F(Consumer, RefusesAnEventThatSaysItIsAnotherTypeThanItsSubjects) {
  EXPECT_EQ(deliver("OrderPlaced", "PaymentApproved", kApproved).kind, platform::Verdict::Kind::Term);
  EXPECT_EQ(deliver("OrderPlaced", "OrderPlaced", kApproved).kind, platform::Verdict::Kind::Term)
      << "the body's eventType must be the subject's type too";
  EXPECT_EQ(deliver("OrderPlaced", "", R"({"eventType":"OrderPlaced","orderId":7})").kind, platform::Verdict::Kind::Term)
      << "an event without its type header";
  EXPECT_EQ(deliver("OrderPlaced", "OrderPlaced", R"({"orderId":7})").kind, platform::Verdict::Kind::Term)
      << "a body without eventType";
  EXPECT_EQ(deliver("", "PaymentApproved", kApproved).kind, platform::Verdict::Kind::Term)
      << "a subject outside the stream's prefix";
  EXPECT_TRUE(reacted.empty());
  EXPECT_EQ(inbox(), 0);
}

}  // namespace
