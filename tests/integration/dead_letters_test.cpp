// Dead letters on a real platform, on each bus: an event the customer service always refuses
// (a PaymentSettled for an order it has never seen) is retried FD_MAX_DELIVER times, then kept
// in its dead letters while the service goes on with the next events; `fooddelivery
// dead-letters` lists it, and replays it once what it was missing is there. Every wait is a
// bounded poll of a state.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "contracts/events.hpp"
#include "platform/db.hpp"
#include "platform/event.hpp"
#include "platform/http_client.hpp"
#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::eventually;
using namespace std::chrono_literals;

constexpr std::int64_t kUnknownOrder = 9'000'001;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class DeadLetters : public fd::test::CustomerAndOwner, public fd::test::OnEachBus {
 protected:
  DeadLetters() : CustomerAndOwner({{"FD_BUS", GetParam()}, {"FD_MAX_DELIVER", "3"}}) {}

  ~DeadLetters() override {
    publisher.reset();
    publisher_db.reset();
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }

  // Publishes as a producer's outbox relay would (the bus's admin identity on JetStream, which
  // may publish any type); returns the event's id once the broker has it.
  std::string publish(platform::Event event) {
    if (!publisher) {
      dir = fd::test::make_temp_dir("fd-deadletters-");
      publisher_db = platform::open_database("sqlite:" + dir + "/publisher.db");
      platform::MessagingOptions options;
      if (platform.bus() == "kafka")
        options.bus_url = platform.bus_url();
      else
        options.nats = platform::NatsEndpoint(platform.nats_url());
      options.relay_poll = 50ms;
      publisher = std::make_unique<platform::Messaging>(*publisher_db, options);
      publisher->start({});
    }
    publisher_db->transaction([&](platform::Db& tx) { platform::append_events(tx, {event}); });
    EXPECT_TRUE(eventually([&] { return publisher->pending_outbox() == 0; }, 20s)) << "the outbox was not relayed";
    for (const auto& stored : platform::read_stream(platform.bus_url()))
      if (stored.type == event.type && platform::order_id_of(stored.body) == event.order_id()) return stored.id;
    ADD_FAILURE() << event.type << " of order " << event.order_id() << " is not in the stream";
    return {};
  }

  fd::test::CommandResult tool(const std::string& args) const {
    std::string command = "env";
    for (const auto& [variable, value] : platform.env()) command += " '" + variable + "=" + value + "'";
    return fd::test::run_command(command + " " + FD_BUILD_DIR + "/bin/fooddelivery dead-letters " + args + " 2>&1");
  }

  // The customer service's dead letters as `list --json` shows them.
  boost::json::array listed() const {
    auto ran = tool("list --service customer --json");
    if (ran.status != 0) {
      ADD_FAILURE() << ran.output;
      return {};
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(ran.output, ec);
    if (ec || !parsed.is_array()) {
      ADD_FAILURE() << "not one JSON array: " << ran.output;
      return {};
    }
    return parsed.as_array();
  }

  std::string status_of(std::int64_t order) {
    auto reply = customer.get("/orderStatuses/" + std::to_string(order));
    return reply.status == 200 ? std::string(reply.body.at("status").as_string()) : "HTTP " + std::to_string(reply.status);
  }

  std::string dir;
  std::unique_ptr<platform::Db> publisher_db;
  std::unique_ptr<platform::Messaging> publisher;
};
FD_INSTANTIATE_ON_EACH_BUS(DeadLetters);

TEST_P(DeadLetters, APoisonEventIsKeptAfterItsDeliveriesTheConsumerGoesOnAndAReplayAppliesIt) {
  const auto poison = publish(platform::events(contracts::PaymentSettled{kUnknownOrder, "customer1", 100}).front());

  // The consumer goes on: an order placed after the poison reaches the customer's view.
  auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
  ASSERT_EQ(placed.status, 201) << placed.raw;
  const auto order = placed.body.at("orderId").as_int64();
  EXPECT_TRUE(eventually([&] { return status_of(order) == "PAID"; }, 30s)) << status_of(order);

  // Given up on after FD_MAX_DELIVER deliveries, with what a replay needs.
  boost::json::array letters;
  ASSERT_TRUE(eventually([&] { return (letters = listed()).size() == 1; }, 30s)) << boost::json::serialize(letters);
  const auto& letter = letters[0].as_object();
  EXPECT_EQ(letter.at("id").as_string(), poison);
  EXPECT_EQ(letter.at("service").as_string(), "customer");
  EXPECT_EQ(letter.at("type").as_string(), "PaymentSettled");
  EXPECT_EQ(letter.at("attempts").as_int64(), 3);
  EXPECT_TRUE(contains(std::string(letter.at("error").as_string()), "before its order's OrderPlaced"))
      << letter.at("error");
  EXPECT_EQ(boost::json::parse(letter.at("body").as_string()).at("orderId").as_int64(), kUnknownOrder);
  EXPECT_EQ(letter.at("headers").at("type").as_string(), "PaymentSettled");

  auto every = tool("list");
  ASSERT_EQ(every.status, 0) << every.output;
  EXPECT_TRUE(contains(every.output, "customer ") && contains(every.output, poison)) << every.output;

  platform::HttpClient service("127.0.0.1", static_cast<std::uint16_t>(platform.port("customer")), 5s);
  auto metrics = service.send("GET", "/metrics", "", {});
  EXPECT_TRUE(contains(metrics.body, "fd_dead_letters 1")) << metrics.body;

  // Replayed while its order is still unknown, it is refused again and kept.
  auto early = tool("replay --service customer --id " + poison);
  EXPECT_EQ(early.status, 1) << early.output;
  EXPECT_TRUE(contains(early.output, "refused " + poison)) << early.output;
  ASSERT_EQ(listed().size(), 1u);

  // Once what it was missing is there, the replay applies it through the inbox.
  publish(platform::events(contracts::OrderPlaced{kUnknownOrder, "customer1", 1, "Test store", {}, 100, "x", 37.5, 127.03})
              .front());
  ASSERT_TRUE(eventually([&] { return customer.get("/orderStatuses/" + std::to_string(kUnknownOrder)).status == 200; }, 30s));
  auto replayed = tool("replay --service customer --id " + poison);
  EXPECT_EQ(replayed.status, 0) << replayed.output;
  EXPECT_TRUE(contains(replayed.output, "applied " + poison)) << replayed.output;
  EXPECT_TRUE(listed().empty());
  auto view = customer.get("/orderStatuses/" + std::to_string(kUnknownOrder));
  EXPECT_TRUE(contains(view.raw, "\"eventType\":\"PaymentSettled\"")) << view.raw;

  auto again = tool("replay --service customer --id " + poison);
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_TRUE(contains(again.output, "404")) << again.output;
  auto usage = tool("replay --service customer");
  EXPECT_EQ(usage.status, 2) << usage.output;
}

}  // namespace
