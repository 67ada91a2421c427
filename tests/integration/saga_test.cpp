// C1 through the real gateway, services and nats-server: an order placed is paid by events
// and reaches the store owner's list; the read model follows.
#include <gtest/gtest.h>

#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::TestPlatform;


std::string status_of(Api& api, const std::string& target) {
  auto reply = api.get(target);
  if (reply.status != 200) return "HTTP " + std::to_string(reply.status);
  return std::string(reply.body.at("status").as_string());
}

bool listed_for_owner(Api& owner, std::int64_t order_id) {
  auto reply = owner.get("/foodCookings");
  if (reply.status != 200) return false;
  for (const auto& item : reply.body.at("_embedded").at("foodCookings").as_array())
    if (item.at("orderId").as_int64() == order_id) return item.at("status").as_string() == "REQUESTED";
  return false;
}

class Saga : public fd::test::CustomerAndOwner {
 protected:
  using CustomerAndOwner::CustomerAndOwner;

  std::int64_t place(std::int64_t store_id, std::int64_t menu_id, std::int64_t qty) {
    auto reply = customer.post("/orders", order_request(store_id, menu_id, qty));
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.status == 201 ? reply.body.at("orderId").as_int64() : 0;
  }
};

// C1 and redelivery, on JetStream and on Kafka.
class SagaOnEachBus : public Saga, public fd::test::OnEachBus {
 protected:
  SagaOnEachBus() : Saga(bus_env()) {}
};
FD_INSTANTIATE_ON_EACH_BUS(SagaOnEachBus);

TEST_F(Saga, StoresAndMenusAreBrowsable) {
  auto stores = customer.get("/stores");
  ASSERT_EQ(stores.status, 200);
  auto& list = stores.body.at("_embedded").at("stores").as_array();
  ASSERT_GE(list.size(), 3u);
  EXPECT_EQ(list[0].at("_links").at("self").at("href").as_string(), "/stores/1");
  auto store = customer.get("/stores/1");
  ASSERT_EQ(store.status, 200);
  auto& menu = store.body.at("menu").as_array();
  ASSERT_FALSE(menu.empty());
  EXPECT_TRUE(menu[0].as_object().contains("menuId"));
  EXPECT_TRUE(menu[0].as_object().contains("price"));
  EXPECT_EQ(customer.get("/stores/999").status, 404);
}

TEST_P(SagaOnEachBus, AnOrderIsPaidAndReachesTheOwnersList) {
  auto reply = customer.post("/orders", order_request(1, 101, 2));
  ASSERT_EQ(reply.status, 201) << reply.raw;
  auto id = reply.body.at("orderId").as_int64();
  EXPECT_EQ(reply.location, "/orders/" + std::to_string(id));
  EXPECT_EQ(reply.body.at("totalPrice").as_int64(), 2 * 23000);
  EXPECT_EQ(reply.body.at("status").as_string(), "PLACED");
  auto view = "/orderStatuses/" + std::to_string(id);

  ASSERT_TRUE(eventually([&] { return status_of(customer, view) == "PAID"; })) << status_of(customer, view);
  ASSERT_TRUE(eventually([&] { return listed_for_owner(owner, id); }));
  EXPECT_TRUE(eventually([&] { return status_of(customer, "/orders/" + std::to_string(id)) == "PAID"; }));

  auto timeline = customer.get(view).body.at("timeline").as_array();
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[0].at("status").as_string(), "PLACED");
  EXPECT_EQ(timeline[1].at("status").as_string(), "PAID");

  auto payment = customer.get("/payments/" + std::to_string(id));
  ASSERT_EQ(payment.status, 200) << payment.raw;
  EXPECT_EQ(payment.body.at("status").as_string(), "APPROVED");
  EXPECT_EQ(payment.body.at("amount").as_int64(), 46000);

  auto cooking = owner.get("/foodCookings/" + std::to_string(id));
  ASSERT_EQ(cooking.status, 200);
  EXPECT_EQ(cooking.body.at("address").as_string(), "서울 강남구 테헤란로 152");
  EXPECT_EQ(cooking.body.at("items").as_array().size(), 1u);

  // Nobody else sees it.
  Api other_owner(platform.gateway_port());
  other_owner.login("owner2");
  EXPECT_FALSE(listed_for_owner(other_owner, id));
  EXPECT_EQ(other_owner.get("/foodCookings/" + std::to_string(id)).status, 404);
  Api other_customer(platform.gateway_port());
  other_customer.login("customer2");
  EXPECT_EQ(other_customer.get(view).status, 404);
  EXPECT_EQ(other_customer.get("/orders/" + std::to_string(id)).status, 404);
  EXPECT_EQ(other_customer.get("/payments/" + std::to_string(id)).status, 404);
}

TEST_P(SagaOnEachBus, ADeclinedPaymentNeverReachesTheStore) {
  auto id = place(1, 101, 20);  // 460,000 KRW: over the simulator's card limit
  auto view = "/orderStatuses/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return status_of(customer, view) == "PAYMENT_FAILED"; })) << status_of(customer, view);
  EXPECT_TRUE(eventually([&] { return status_of(customer, "/orders/" + std::to_string(id)) == "PAYMENT_FAILED"; }));
  EXPECT_EQ(status_of(customer, "/payments/" + std::to_string(id)), "FAILED");
  EXPECT_FALSE(listed_for_owner(owner, id));
}

TEST_F(Saga, BadOrdersAreRefusedWithProblemsAndChangeNothing) {
  auto first = place(1, 104, 1);
  ASSERT_TRUE(eventually([&] { return status_of(customer, "/orderStatuses/" + std::to_string(first)) == "PAID"; }));
  auto before = platform::read_stream(platform.bus_url()).size();

  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"malformed JSON", R"({"storeId":1,"items":[)", 400},
      {"not an object", R"([1,2,3])", 400},
      {"unknown store", boost::json::serialize(order_request(999, 101, 1)), 400},
      {"menu item of another store", boost::json::serialize(order_request(1, 201, 1)), 400},
      {"unknown menu item", boost::json::serialize(order_request(1, 9999, 1)), 400},
      {"qty zero", boost::json::serialize(order_request(1, 101, 0)), 400},
      {"qty negative", boost::json::serialize(order_request(1, 101, -1)), 400},
      {"qty absurd", boost::json::serialize(order_request(1, 101, 1000000)), 400},
      {"price from the client", R"({"storeId":1,"items":[{"menuId":101,"qty":1}],"address":"x","lat":37.5,"lon":127,"totalPrice":1})", 400},
  };
  for (const auto& c : cases) {
    auto reply = customer.call("POST", "/orders", c.body);
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json") << c.name;
    EXPECT_FALSE(reply.body.is_null() || reply.body.at("detail").as_string().empty()) << c.name;
  }

  Api anonymous(platform.gateway_port());
  EXPECT_EQ(anonymous.post("/orders", order_request(1, 101, 1)).status, 401);
  anonymous.token("not.a.token");
  EXPECT_EQ(anonymous.post("/orders", order_request(1, 101, 1)).status, 401);
  EXPECT_EQ(owner.post("/orders", order_request(1, 101, 1)).status, 403);

  // Nothing was created: no event was published, and the customer's orders are still the one.
  // (Ids may leave gaps: on PostgreSQL a refused order's transaction took one from a sequence.)
  EXPECT_EQ(platform::read_stream(platform.bus_url()).size(), before);
  auto listed = customer.call("GET", "/orders").body.at("_embedded").at("orders").as_array();
  ASSERT_EQ(listed.size(), 1u) << boost::json::serialize(listed);
  EXPECT_EQ(listed.at(0).at("orderId").as_int64(), first);
  EXPECT_GT(place(1, 104, 1), first);
}

TEST_P(SagaOnEachBus, AnEventDeliveredAgainHasNoSecondEffect) {
  auto id = place(2, 201, 3);
  Api owner2(platform.gateway_port());
  owner2.login("owner2");
  ASSERT_TRUE(eventually([&] { return listed_for_owner(owner2, id); }));
  ASSERT_TRUE(eventually([&] { return status_of(customer, "/orderStatuses/" + std::to_string(id)) == "PAID"; }));

  // Lose every consumer's position: payment, store and customer receive the whole stream again.
  for (const auto* part : {"payment", "store", "customer"}) platform.kill(part);
  for (const auto* part : {"payment", "store", "customer"}) platform::forget_consumer(platform.bus_url(), part);
  platform.start();
  for (const auto* part : {"payment", "store", "customer"})
    ASSERT_TRUE(eventually([&] { return fd::test::consumer_caught_up(platform.bus_url(), part); },
                           std::chrono::seconds(30)))
        << part;

  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "PaymentApproved", id), 1);
  auto view = customer.get("/orderStatuses/" + std::to_string(id));
  EXPECT_EQ(view.body.at("timeline").as_array().size(), 2u);
  EXPECT_EQ(view.body.at("status").as_string(), "PAID");
  auto list = owner2.get("/foodCookings").body.at("_embedded").at("foodCookings").as_array();
  EXPECT_EQ(std::count_if(list.begin(), list.end(), [&](auto& c) { return c.at("orderId").as_int64() == id; }), 1);
}

TEST_F(Saga, AServiceKilledBetweenCommitAndPublishPublishesAfterRestart) {
  platform.kill("nats");
  // Accepted while the broker is away: the order and its OrderPlaced are committed together.
  auto id = place(3, 301, 1);
  ASSERT_GT(id, 0);
  platform.kill("order");
  platform.start();
  auto view = "/orderStatuses/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return status_of(customer, view) == "PAID"; }, fd::test::kAfterBusRestart))
      << status_of(customer, view);
  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "OrderPlaced", id), 1);
  EXPECT_EQ(fd::test::count_events(events, "PaymentApproved", id), 1);
}

}  // namespace
