// Live streams (server-sent events) through the gateway: who may open each, that each status
// change of a journey reaches the order's stream, the owner's and the rider's lists as
// streams, and GET /events/stream: every event of a journey in order for an admin, only their
// own for a customer, and none missed or repeated across a reconnect with Last-Event-ID, on
// JetStream and on Kafka. Every wait is bounded; none depends on the machine's speed.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "platform/event.hpp"
#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/event_stream.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"
#include "support/threads.hpp"

namespace {

using fd::test::Api;
using fd::test::EventStreamClient;
using fd::test::eventually;
using fd::test::StreamedEvent;

std::int64_t place_order(Api& customer) {
  auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
  if (placed.status != 201) throw std::runtime_error("order not placed: " + placed.raw);
  return placed.body.at("orderId").as_int64();
}

std::string field(const StreamedEvent& event, const char* name) {
  auto body = boost::json::parse(event.data).as_object();
  auto* value = body.if_contains(name);
  if (!value) return "";
  return value->is_string() ? std::string(value->as_string()) : boost::json::serialize(*value);
}

// Reads the stream until a document says `status`; every document seen goes into `seen`.
bool reaches(EventStreamClient& stream, const std::string& status, std::vector<std::string>& seen) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = stream.next(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!event) return false;
    seen.push_back(field(*event, "status"));
    if (seen.back() == status) return true;
  }
  return false;
}

// Reads a list's stream until a document lists the order with `status`.
bool lists(EventStreamClient& stream, std::int64_t order_id, const std::string& status) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (auto event = stream.next(
             std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()))) {
    auto body = boost::json::parse(event->data);
    for (const auto& [name, items] : body.at("_embedded").as_object())
      for (const auto& item : items.as_array())
        if (item.at("orderId").as_int64() == order_id && item.at("status").as_string() == status) return true;
  }
  return false;
}

void expect_problem(const fd::test::Reply& reply, int status) {
  EXPECT_EQ(reply.status, status) << reply.raw;
  EXPECT_EQ(reply.content_type, "application/problem+json") << reply.raw;
}

// -------------------------------------------------------- scoping, refusals ----

class LiveStreams : public fd::test::CustomerAndOwner {
 protected:
  // A heartbeat every half second, so that the test sees one without waiting 15 s.
  LiveStreams() : CustomerAndOwner({{"FD_STREAM_HEARTBEAT_MS", "500"}}) {}
};

TEST_F(LiveStreams, EachStreamIsRefusedWithoutATokenOrToAnotherThanItsOwner) {
  auto id = place_order(customer);
  auto status_stream = "/orderStatuses/" + std::to_string(id) + "/stream";
  ASSERT_TRUE(eventually([&] { return customer.get("/orderStatuses/" + std::to_string(id)).status == 200; }));
  Api anonymous(platform.gateway_port()), other(platform.gateway_port()), rider(platform.gateway_port()),
      admin(platform.gateway_port());
  other.login("customer2");
  rider.login("rider1");
  admin.login("admin");

  for (const char* target : {"/events/stream", "/foodCookings/stream", "/deliveries/stream"})
    expect_problem(anonymous.get(target), 401);
  expect_problem(anonymous.get(status_stream), 401);
  expect_problem(other.get(status_stream), 404);  // another's order is as if it did not exist
  expect_problem(owner.get(status_stream), 403);
  expect_problem(customer.get("/foodCookings/stream"), 403);
  expect_problem(customer.get("/deliveries/stream"), 403);
  expect_problem(owner.get("/events/stream"), 403);
  expect_problem(rider.get("/events/stream"), 403);
  expect_problem(customer.call("GET", "/events/stream", "", {{"Last-Event-ID", "yesterday"}}), 400);

  // Each one open to its own user, with the headers of a stream.
  EventStreamClient mine(platform.gateway_port(), status_stream, customer.token());
  ASSERT_EQ(mine.status(), 200) << mine.head();
  EXPECT_NE(mine.head().find("content-type: text/event-stream"), std::string::npos) << mine.head();
  EXPECT_NE(mine.head().find("cache-control: no-cache"), std::string::npos) << mine.head();
  auto first = mine.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "orderStatus");
  EXPECT_EQ(first->id, "1");
  EXPECT_EQ(field(*first, "orderId"), std::to_string(id));
  EXPECT_EQ(EventStreamClient(platform.gateway_port(), "/foodCookings/stream", owner.token()).status(), 200);
  EXPECT_EQ(EventStreamClient(platform.gateway_port(), "/events/stream", admin.token()).status(), 200);
  EXPECT_EQ(EventStreamClient(platform.gateway_port(), "/events/stream", customer.token()).status(), 200);

  // Nothing changes: heartbeats keep the stream open.
  EXPECT_TRUE(eventually([&] { return !mine.next(std::chrono::milliseconds(200)) && mine.comments() >= 2; },
                         std::chrono::seconds(10)));
  EXPECT_FALSE(mine.ended());

  // A logout ends the streams the token opened, with its 401, and the token opens no other.
  EventStreamClient events(platform.gateway_port(), "/events/stream", customer.token());
  ASSERT_EQ(events.status(), 200);
  auto token = customer.token();
  ASSERT_EQ(customer.call("POST", "/auth/logout").status, 204);
  for (auto* stream : {&mine, &events}) {
    std::optional<StreamedEvent> last;
    ASSERT_TRUE(eventually([&] {
      while (auto event = stream->next(std::chrono::milliseconds(200))) last = event;
      return stream->ended();
    }));
    ASSERT_TRUE(last);
    EXPECT_EQ(last->event, "problem");
    EXPECT_EQ(field(*last, "status"), "401");
  }
  Api revoked(platform.gateway_port());
  revoked.token(token);
  expect_problem(revoked.get(status_stream), 401);
  expect_problem(revoked.get("/events/stream"), 401);
}

// ---------------------------------------------------- a journey, streamed ----

TEST_F(LiveStreams, TheOrderStreamDeliversEachStatusChangeAndTheOwnerAndRiderListsFollow) {
  Api rider(platform.gateway_port());
  rider.login("rider1");
  ASSERT_EQ(rider.call("PUT", "/riders/me/location", R"({"lat":37.4985,"lon":127.0300})").status, 200);  // 강남역
  EventStreamClient kitchen(platform.gateway_port(), "/foodCookings/stream", owner.token());
  EventStreamClient offers(platform.gateway_port(), "/deliveries/stream", rider.token());
  ASSERT_EQ(kitchen.status(), 200);
  ASSERT_EQ(offers.status(), 200);
  ASSERT_TRUE(kitchen.next());  // the list as it is now
  ASSERT_TRUE(offers.next());

  auto id = place_order(customer);
  auto cooking = "/foodCookings/" + std::to_string(id), delivery = "/deliveries/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return customer.get("/orderStatuses/" + std::to_string(id)).status == 200; }));
  EventStreamClient order(platform.gateway_port(), "/orderStatuses/" + std::to_string(id) + "/stream",
                          customer.token());
  ASSERT_EQ(order.status(), 200);
  std::vector<std::string> seen;

  // The owner's stream brings the paid order without a request of the owner's.
  EXPECT_TRUE(lists(kitchen, id, "REQUESTED"));
  ASSERT_TRUE(reaches(order, "PAID", seen));
  ASSERT_EQ(owner.call("PUT", cooking + "/accept").status, 200);
  ASSERT_TRUE(reaches(order, "ACCEPTED", seen));
  EXPECT_TRUE(lists(kitchen, id, "ACCEPTED"));
  ASSERT_EQ(owner.call("PUT", cooking + "/start").status, 200);
  ASSERT_TRUE(reaches(order, "COOKING", seen));
  ASSERT_EQ(owner.call("PUT", cooking + "/finish").status, 200);
  ASSERT_TRUE(reaches(order, "COOKED", seen));
  EXPECT_TRUE(lists(offers, id, "OPEN"));  // the rider's stream offers it
  ASSERT_EQ(rider.call("PUT", delivery + "/assign").status, 200);
  ASSERT_TRUE(reaches(order, "RIDER_ASSIGNED", seen));
  ASSERT_EQ(rider.call("PUT", delivery + "/pick").status, 200);
  ASSERT_TRUE(reaches(order, "PICKED_UP", seen));
  ASSERT_TRUE(eventually([&] {
    return customer.get("/orders/" + std::to_string(id)).raw.find("\"status\":\"PICKED_UP\"") != std::string::npos;
  }));
  ASSERT_EQ(customer.call("PUT", "/orders/" + std::to_string(id) + "/deliveryconfirm").status, 200);
  ASSERT_TRUE(reaches(order, "DELIVERED", seen));

  // Each status once, in the journey's order (a document changes with the payment's status
  // too: the same status twice in a row is such a change).
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  if (!seen.empty() && seen.front() == "PLACED") seen.erase(seen.begin());
  EXPECT_EQ(seen, (std::vector<std::string>{"PAID", "ACCEPTED", "COOKING", "COOKED", "RIDER_ASSIGNED", "PICKED_UP",
                                            "DELIVERED"}));
}

// ---------------------------------------------- woken by commits, not a timer ----

class StreamsWokenByCommits : public fd::test::CustomerAndOwner {
 protected:
  // No resource is read again by time within the test (a heartbeat's turn reads it too):
  // what reaches a stream is what a commit of its service woke it for.
  StreamsWokenByCommits()
      : CustomerAndOwner({{"FD_STREAM_REREAD_MS", "3600000"}, {"FD_STREAM_HEARTBEAT_MS", "3600000"}}) {}
};

TEST_F(StreamsWokenByCommits, AChangeGoesOutWhenItsServiceCommitsItNotAtTheNextReread) {
  EventStreamClient kitchen(platform.gateway_port(), "/foodCookings/stream", owner.token());
  ASSERT_EQ(kitchen.status(), 200) << kitchen.head();
  ASSERT_TRUE(kitchen.next());  // the list as it is now

  auto id = place_order(customer);
  ASSERT_TRUE(eventually([&] { return customer.get("/orderStatuses/" + std::to_string(id)).status == 200; }));
  EventStreamClient order(platform.gateway_port(), "/orderStatuses/" + std::to_string(id) + "/stream",
                          customer.token());
  ASSERT_EQ(order.status(), 200) << order.head();
  std::vector<std::string> seen;
  // Event reactions' commits: the payment reaches the view and the paid order the owner's list.
  ASSERT_TRUE(reaches(order, "PAID", seen));
  EXPECT_TRUE(lists(kitchen, id, "REQUESTED"));
  // A command's commit (the owner's accept), and the view's reaction to its event.
  ASSERT_EQ(owner.call("PUT", "/foodCookings/" + std::to_string(id) + "/accept").status, 200);
  EXPECT_TRUE(lists(kitchen, id, "ACCEPTED"));
  EXPECT_TRUE(reaches(order, "ACCEPTED", seen));
}

TEST(StreamReread, AServiceRefusesToStartWithAPeriodUnderAMillisecondSayingWhy) {
  auto dir = fd::test::make_temp_dir("fd-reread-");
  auto refused = fd::test::run_command("cd " + dir + " && FD_STREAM_REREAD_MS=0 FD_JWT_SECRET=" + std::string(40, 's') +
                                       " FD_DB_URL=sqlite:" + dir + "/store.db timeout 20 " + FD_BUILD_DIR +
                                       "/bin/fd-store 2>&1");
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("FD_STREAM_REREAD_MS must be at least 1 (milliseconds), not 0"), std::string::npos)
      << refused.output;
  std::filesystem::remove_all(dir);
}

// ------------------------------------------------------- GET /events/stream ----

class EventsStream : public fd::test::CustomerAndOwner, public fd::test::OnEachBus {
 protected:
  EventsStream() : CustomerAndOwner(bus_env()) {}
};
FD_INSTANTIATE_ON_EACH_BUS(EventsStream);

// The events of one order in the order the bus holds them: "OrderPlaced PaymentApproved ...".
std::string bus_events_of(const std::string& bus_url, std::int64_t order_id) {
  std::string out;
  for (const auto& event : platform::read_stream(bus_url))
    if (platform::order_id_of(event.body) == std::to_string(order_id)) out += (out.empty() ? "" : " ") + event.type;
  return out;
}

// What a stream client collected: each event's type by order, and every id and body once.
struct Collected {
  std::map<std::string, std::string> by_order;  // orderId -> "OrderPlaced PaymentApproved ..."
  std::vector<std::string> bodies;
  std::string last_id;

  void add(const StreamedEvent& event) {
    auto order = field(event, "orderId");
    auto& types = by_order[order];
    types += (types.empty() ? "" : " ") + event.event;
    EXPECT_EQ(field(event, "eventType"), event.event) << event.data;
    bodies.push_back(event.data);
    last_id = event.id;
  }
  // Reads until `order` has as many events as `expected` names, or the time is up.
  bool until(EventStreamClient& stream, std::int64_t order, const std::string& expected) {
    auto count = [](const std::string& types) { return types.empty() ? 0 : std::count(types.begin(), types.end(), ' ') + 1; };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (count(by_order[std::to_string(order)]) < count(expected)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto event = stream.next(left);
      if (!event) return false;
      add(*event);
    }
    return true;
  }
};

TEST_P(EventsStream, AnAdminSeesEveryEventInOrderACustomerOnlyTheirsAndAReconnectMissesAndRepeatsNone) {
  Api admin(platform.gateway_port()), other(platform.gateway_port());
  admin.login("admin");
  other.login("customer2");
  // Opened before the journey: without Last-Event-ID a stream starts from now.
  auto watching = std::make_unique<EventStreamClient>(platform.gateway_port(), "/events/stream", admin.token());
  EventStreamClient mine(platform.gateway_port(), "/events/stream", customer.token());
  EventStreamClient theirs(platform.gateway_port(), "/events/stream", other.token());
  ASSERT_EQ(watching->status(), 200);
  ASSERT_EQ(mine.status(), 200);
  ASSERT_EQ(theirs.status(), 200);

  auto id = place_order(customer);
  auto others = place_order(other);
  auto cooking = "/foodCookings/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return owner.call("PUT", cooking + "/accept").status == 200; }));

  // The admin reads the first events of the journey, loses the connection, and comes back
  // with the last id after more has happened.
  Collected admin_saw, customer_saw, other_saw;
  std::string first_part = "OrderPlaced PaymentApproved OrderAccepted";
  ASSERT_TRUE(admin_saw.until(*watching, id, first_part)) << admin_saw.by_order[std::to_string(id)];
  ASSERT_FALSE(admin_saw.last_id.empty());
  watching.reset();
  ASSERT_EQ(owner.call("PUT", cooking + "/start").status, 200);
  ASSERT_EQ(owner.call("PUT", cooking + "/finish").status, 200);
  std::string journey;
  ASSERT_TRUE(eventually([&] {
    journey = bus_events_of(platform.bus_url(), id);
    return journey.find("CookFinished") != std::string::npos;
  }));
  EventStreamClient resumed(platform.gateway_port(), "/events/stream", admin.token(), admin_saw.last_id);
  ASSERT_EQ(resumed.status(), 200);
  ASSERT_TRUE(admin_saw.until(resumed, id, journey)) << admin_saw.by_order[std::to_string(id)];
  auto others_events = bus_events_of(platform.bus_url(), others);
  ASSERT_TRUE(admin_saw.until(resumed, others, others_events));

  // Every event of each order, in the bus's order, once.
  EXPECT_EQ(admin_saw.by_order[std::to_string(id)], journey);
  EXPECT_EQ(admin_saw.by_order[std::to_string(others)], others_events);
  std::set<std::string> distinct(admin_saw.bodies.begin(), admin_saw.bodies.end());
  EXPECT_EQ(distinct.size(), admin_saw.bodies.size());
  // Nothing more of the journey comes after it (a repeat would).
  auto extra = resumed.next(std::chrono::milliseconds(1500));
  if (extra) {
    EXPECT_NE(field(*extra, "orderId"), std::to_string(id)) << extra->data;
  }

  // A customer: the events of their own orders, all of them, and no other.
  ASSERT_TRUE(customer_saw.until(mine, id, journey)) << customer_saw.by_order[std::to_string(id)];
  EXPECT_EQ(customer_saw.by_order[std::to_string(id)], journey);
  ASSERT_TRUE(other_saw.until(theirs, others, others_events));
  EXPECT_EQ(other_saw.by_order[std::to_string(others)], others_events);
  for (auto* saw : {&customer_saw, &other_saw})
    for (const auto& [order, types] : saw->by_order)
      EXPECT_TRUE(order == std::to_string(saw == &customer_saw ? id : others) || types.empty())
          << "shown another's order " << order << ": " << types;
}

// The customer service reads the bus for streams only once someone opens one: before, it
// neither holds events nor takes each one from the broker. The first stream still starts from
// its own opening: what the bus held before is read, and not shown.
TEST_P(EventsStream, TheBusIsReadForStreamsOnceOneIsOpenedAndTheFirstStillStartsFromThen) {
  // Of every process of the customer service (two on the cluster), the threads reading for streams.
  auto readers = [&] {
    int threads = 0;
    for (const auto& file : std::filesystem::directory_iterator(platform.run_dir())) {
      const auto name = file.path().filename().string();
      if (!name.starts_with("customer") || file.path().extension() != ".pid") continue;
      int pid = 0;
      std::ifstream(file.path()) >> pid;
      threads += fd::test::threads_named(pid, "bus-tail");
    }
    return threads;
  };
  auto before = place_order(customer);
  ASSERT_TRUE(eventually([&] { return owner.get("/foodCookings/" + std::to_string(before)).status == 200; }));
  EXPECT_EQ(readers(), 0);

  Api admin(platform.gateway_port());
  admin.login("admin");
  EventStreamClient watching(platform.gateway_port(), "/events/stream", admin.token());
  ASSERT_EQ(watching.status(), 200);
  EXPECT_GE(readers(), 1);
  auto after = place_order(customer);
  auto first = watching.next(std::chrono::seconds(20));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "OrderPlaced") << first->data;
  EXPECT_EQ(field(*first, "orderId"), std::to_string(after)) << first->data;
}

}  // namespace
