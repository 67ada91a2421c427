// The pure parts of the live streams: an event's wire text, a resource's stream (watch), the
// bus positions that an event stream's ids carry, and the customer service's right to read
// the whole stream.
#include <gtest/gtest.h>

#include <algorithm>

#include "platform/bus_access.hpp"
#include "platform/bus_tail.hpp"
#include "platform/event_stream.hpp"
#include "platform/problem.hpp"

namespace {

using platform::BusCursor;
using platform::TailedEvent;

TEST(EventStream, AnEventIsItsIdTypeAndOneDataLinePerLineThenABlankLine) {
  EXPECT_EQ(platform::format_event({"7", "orderStatus", R"({"status":"PAID"})"}),
            "id: 7\nevent: orderStatus\ndata: {\"status\":\"PAID\"}\n\n");
  EXPECT_EQ(platform::format_event({"", "problem", "a\nb"}), "event: problem\ndata: a\ndata: b\n\n");
}

TEST(EventStream, AWatchSendsTheDocumentAtOnceThenOnlyWhenItChanges) {
  std::string document = R"({"status":"PAID"})";
  int reads = 0;
  auto response = platform::watch(
      "orderStatus", [&] { return platform::Response{200, "application/json", (++reads, document), {}}; },
      std::chrono::milliseconds(250));
  ASSERT_TRUE(response.events);
  EXPECT_EQ(response.content_type, "text/event-stream");
  EXPECT_EQ(response.header("Cache-Control"), "no-cache");
  auto first = response.events->pull();
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].id, "1");
  EXPECT_EQ(first[0].data, document);
  EXPECT_EQ(reads, 1);  // the read made while answering is the first event
  EXPECT_TRUE(response.events->pull().empty());
  document = R"({"status":"ACCEPTED"})";
  auto second = response.events->pull();
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].id, "2");
  EXPECT_EQ(second[0].data, document);
}

TEST(EventStream, AWatchRefusedAtTheStartIsTheRefusalAndLaterEndsTheStream) {
  EXPECT_THROW(platform::watch("x", []() -> platform::Response { throw platform::not_found("no order 7"); },
                               std::chrono::milliseconds(250)),
               platform::Problem);
  bool revoked = false;
  auto response = platform::watch(
      "x",
      [&] {
        if (revoked) throw platform::invalid_token("token has been revoked");
        return platform::json_response(200, boost::json::object{{"a", 1}});
      },
      std::chrono::milliseconds(250));
  ASSERT_EQ(response.events->pull().size(), 1U);
  revoked = true;
  EXPECT_THROW(response.events->pull(), platform::Problem);
}

TEST(EventStream, ACollectionsStreamReadsAsItsGet) {
  platform::Request stream;
  stream.path = "/foodCookings/stream";
  stream.target = "/foodCookings/stream?size=5";
  stream.query = {{"size", "5"}};
  auto get = platform::as_get(stream);
  EXPECT_EQ(get.path, "/foodCookings");
  EXPECT_EQ(get.query, stream.query);
}

TailedEvent at(int partition, std::uint64_t position) { return {partition, position, "OrderPlaced", "", "{}", {}}; }

TEST(BusCursor, JetStreamIdsAreTheSequenceAndKafkaIdsEveryPartitionsOffset) {
  BusCursor jetstream;
  jetstream.advance(at(0, 41));
  jetstream.advance(at(0, 42));
  EXPECT_EQ(jetstream.text(false), "42");
  BusCursor kafka;
  kafka.advance(at(1, 4));
  kafka.advance(at(0, 17));
  kafka.advance(at(2, 9));
  EXPECT_EQ(kafka.text(true), "0:17,1:4,2:9");
}

TEST(BusCursor, AParsedIdCoversExactlyTheEventsUpToIt) {
  auto jetstream = BusCursor::parse("42");
  EXPECT_TRUE(jetstream.covers(at(0, 42)));
  EXPECT_FALSE(jetstream.covers(at(0, 43)));
  auto kafka = BusCursor::parse("0:17,1:4");
  EXPECT_TRUE(kafka.covers(at(0, 17)));
  EXPECT_FALSE(kafka.covers(at(0, 18)));
  EXPECT_TRUE(kafka.covers(at(1, 0)));
  EXPECT_FALSE(kafka.covers(at(2, 0)));  // a partition it had not read: every event of it is new
  EXPECT_EQ(BusCursor::parse(kafka.text(true)).last, kafka.last);
}

TEST(BusCursor, AnIdThisStreamCouldNotHaveSentIsRefused) {
  for (const char* id : {"", "x", "-1", "4 2", "0:", ":1", "0:1,", "0:1,,1:2", "0:1;1:2", "99999999999999999999"}) {
    try {
      BusCursor::parse(id);
      ADD_FAILURE() << "accepted '" << id << "'";
    } catch (const platform::Problem& refused) {
      EXPECT_EQ(refused.status, 400) << id;
      EXPECT_NE(refused.detail.find("Last-Event-ID"), std::string::npos) << refused.detail;
    }
  }
}

TEST(BusAccess, TheCustomerServiceReadsTheWholeStreamThroughItsOwnConsumersOnly) {
  auto identities = platform::bus_identities();
  auto customer = std::find_if(identities.begin(), identities.end(), [](const auto& i) { return i.name == "customer"; });
  ASSERT_NE(customer, identities.end());
  for (const char* subject : {"$JS.API.CONSUMER.CREATE.fooddelivery", "$JS.API.CONSUMER.DELETE.fooddelivery.*",
                              "$JS.FC.fooddelivery.>"})
    EXPECT_NE(std::find(customer->publish.begin(), customer->publish.end(), subject), customer->publish.end())
        << subject;
  EXPECT_EQ(customer->publish_denied,
            (std::vector<std::string>{"$JS.API.CONSUMER.DELETE.fooddelivery.auth",
                                      "$JS.API.CONSUMER.DELETE.fooddelivery.order",
                                      "$JS.API.CONSUMER.DELETE.fooddelivery.payment",
                                      "$JS.API.CONSUMER.DELETE.fooddelivery.rider",
                                      "$JS.API.CONSUMER.DELETE.fooddelivery.store"}));
  auto order = std::find_if(identities.begin(), identities.end(), [](const auto& i) { return i.name == "order"; });
  EXPECT_TRUE(std::find(order->publish.begin(), order->publish.end(), "$JS.API.CONSUMER.CREATE.fooddelivery") ==
              order->publish.end());
}

}  // namespace
