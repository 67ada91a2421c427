// Idempotent ordering through the gateway: POST /orders with an Idempotency-Key places an
// order and charges it once however often (and however concurrently) the customer sends
// it again; the key belongs to its customer, is checked, and is forgotten after its time.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <set>
#include <thread>

#include "support/api.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::Reply;

platform::Headers with_key(const std::string& key) { return {{"Idempotency-Key", key}}; }

Reply place(Api& api, const std::string& key, const boost::json::value& body) {
  return api.call("POST", "/orders", boost::json::serialize(body), with_key(key));
}

std::int64_t order_id_of(const Reply& reply) { return reply.body.at("orderId").as_int64(); }

// The customer's orders, as the customer lists them.
std::size_t orders_of(Api& customer) {
  auto reply = customer.get("/orders");
  EXPECT_EQ(reply.status, 200) << reply.raw;
  if (reply.status != 200) return 0;
  const auto* list = reply.body.at("_embedded").as_object().if_contains("orders");
  return list ? list->as_array().size() : 0;
}

class Idempotency : public fd::test::CustomerAndOwner {
 protected:
  std::string view_status(std::int64_t id) {
    auto reply = customer.get("/orderStatuses/" + std::to_string(id));
    return reply.status == 200 ? std::string(reply.body.at("status").as_string())
                               : "HTTP " + std::to_string(reply.status);
  }

  // Once the order is paid: the stream holds one OrderPlaced and one PaymentApproved for it,
  // and payment one approved charge of its price.
  void expect_placed_and_charged_once(std::int64_t id, std::int64_t price) {
    ASSERT_TRUE(eventually([&] { return view_status(id) == "PAID"; }, std::chrono::seconds(10))) << view_status(id);
    auto events = platform::read_stream(platform.nats_url());
    EXPECT_EQ(fd::test::count_events(events, "OrderPlaced", id), 1);
    EXPECT_EQ(fd::test::count_events(events, "PaymentApproved", id), 1);
    EXPECT_EQ(fd::test::count_events(events, "PaymentFailed", id), 0);
    auto payment = customer.get("/payments/" + std::to_string(id));
    ASSERT_EQ(payment.status, 200) << payment.raw;
    EXPECT_EQ(payment.body.at("status").as_string(), "APPROVED");
    EXPECT_EQ(payment.body.at("amount").as_int64(), price);
  }
};

TEST_F(Idempotency, TheSameRequestWithTheSameKeyPlacesOneOrderAndChargesItOnce) {
  auto first = place(customer, "order-7f3a", order_request(1, 101, 2));
  ASSERT_EQ(first.status, 201) << first.raw;
  EXPECT_EQ(first.header("Idempotent-Replayed"), "");
  auto id = order_id_of(first);
  EXPECT_EQ(first.location, "/orders/" + std::to_string(id));

  auto again = place(customer, "order-7f3a", order_request(1, 101, 2));
  ASSERT_EQ(again.status, 201) << again.raw;
  EXPECT_EQ(again.location, first.location);
  EXPECT_EQ(again.raw, first.raw);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");

  // The same order written another way: other field order, whitespace, number spelling.
  auto rewritten = customer.call("POST", "/orders",
                                 "{ \"lon\": 127.03640, \"lat\": 37.5006,\n  \"address\": \"서울 강남구 테헤란로 152\","
                                 " \"items\": [ { \"qty\": 2, \"menuId\": 101 } ], \"storeId\": 1 }",
                                 with_key("order-7f3a"));
  ASSERT_EQ(rewritten.status, 201) << rewritten.raw;
  EXPECT_EQ(rewritten.location, first.location);
  EXPECT_EQ(rewritten.header("Idempotent-Replayed"), "true");

  expect_placed_and_charged_once(id, 2 * 23000);
  // Still the first answer once the order has moved on: the answer is replayed, not rebuilt.
  auto later = place(customer, "order-7f3a", order_request(1, 101, 2));
  EXPECT_EQ(later.raw, first.raw);
  EXPECT_EQ(later.body.at("status").as_string(), "PLACED");
  EXPECT_EQ(orders_of(customer), 1u);

  // Without a key, the same body is a new order each time, as before.
  auto unkeyed = customer.post("/orders", order_request(1, 101, 2));
  ASSERT_EQ(unkeyed.status, 201) << unkeyed.raw;
  EXPECT_NE(unkeyed.location, first.location);
  EXPECT_EQ(unkeyed.header("Idempotent-Replayed"), "");
  EXPECT_EQ(orders_of(customer), 2u);
}

TEST_F(Idempotency, AnotherRequestWithAUsedKeyIsRefusedWith422AndPlacesNothing) {
  auto first = place(customer, "k-1", order_request(1, 101, 1));
  ASSERT_EQ(first.status, 201) << first.raw;
  for (const auto& other : {order_request(1, 101, 2), order_request(1, 104, 1), order_request(2, 201, 1)}) {
    auto reply = place(customer, "k-1", other);
    EXPECT_EQ(reply.status, 422) << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json");
    EXPECT_NE(reply.raw.find("Idempotency-Key k-1"), std::string::npos) << reply.raw;
    EXPECT_EQ(reply.location, "");
  }
  EXPECT_EQ(orders_of(customer), 1u);
  expect_placed_and_charged_once(order_id_of(first), 23000);
  auto events = platform::read_stream(platform.nats_url());
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.type == "OrderPlaced"; }), 1);
}

TEST_F(Idempotency, AKeyBelongsToItsCustomer) {
  Api customer2(platform.gateway_port());
  customer2.login("customer2");
  auto mine = place(customer, "shared-key", order_request(1, 101, 1));
  auto theirs = place(customer2, "shared-key", order_request(1, 101, 1));
  ASSERT_EQ(mine.status, 201) << mine.raw;
  ASSERT_EQ(theirs.status, 201) << theirs.raw;
  EXPECT_NE(theirs.location, mine.location);
  EXPECT_EQ(theirs.header("Idempotent-Replayed"), "");
  EXPECT_EQ(theirs.body.at("customerId").as_string(), "customer2");
  EXPECT_EQ(orders_of(customer), 1u);
  EXPECT_EQ(orders_of(customer2), 1u);
}

TEST_F(Idempotency, ABadKeyIsRefusedWith400NamingTheHeader) {
  for (const auto& key : {std::string(), std::string(256, 'k'), std::string("two words"), std::string("주문-1")}) {
    auto reply = place(customer, key, order_request(1, 101, 1));
    EXPECT_EQ(reply.status, 400) << key << ": " << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json") << key;
    EXPECT_NE(reply.raw.find("Idempotency-Key"), std::string::npos) << reply.raw;
  }
  EXPECT_EQ(orders_of(customer), 0u);
  auto longest = place(customer, std::string(255, 'k'), order_request(1, 101, 1));
  EXPECT_EQ(longest.status, 201) << longest.raw;
}

TEST_F(Idempotency, RacingRequestsWithOneKeyPlaceOneOrder) {
  constexpr int kRacers = 8;
  std::vector<Reply> replies(kRacers);
  std::latch ready(kRacers);
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i)
    racers.emplace_back([&, i] {
      Api api(platform.gateway_port());
      api.token(customer.token());
      ready.arrive_and_wait();
      replies[i] = place(api, "race-1", order_request(1, 104, 3));
    });
  for (auto& racer : racers) racer.join();

  std::set<std::string> locations;
  int placed = 0, busy = 0;
  for (const auto& reply : replies) {
    if (reply.status == 409) {
      ++busy;
      EXPECT_EQ(reply.content_type, "application/problem+json");
      continue;
    }
    ASSERT_EQ(reply.status, 201) << reply.raw;
    locations.insert(reply.location);
    if (reply.header("Idempotent-Replayed").empty()) ++placed;
  }
  EXPECT_EQ(locations.size(), 1u);
  EXPECT_EQ(placed, 1) << busy << " answered 409";
  EXPECT_EQ(orders_of(customer), 1u);
  expect_placed_and_charged_once(std::stoll(locations.begin()->substr(std::string("/orders/").size())), 3 * 5000);
}

TEST(IdempotencyKeys, AreForgottenAfterTheirTimeToLive) {
  fd::test::TestPlatform platform({{"FD_IDEMPOTENCY_KEY_TTL_SECONDS", "1"}});
  Api customer(platform.gateway_port());
  customer.login("customer1");
  auto first = place(customer, "short-lived", order_request(1, 101, 1));
  ASSERT_EQ(first.status, 201) << first.raw;
  // Until the key is purged a retry is answered again; then the key places a new order.
  Reply reply;
  EXPECT_TRUE(eventually(
      [&] {
        reply = place(customer, "short-lived", order_request(1, 101, 1));
        return reply.status == 201 && reply.location != first.location;
      },
      std::chrono::seconds(10)))
      << reply.raw;
  EXPECT_EQ(reply.header("Idempotent-Replayed"), "");
}

}  // namespace
