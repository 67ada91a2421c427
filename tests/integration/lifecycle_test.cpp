// The whole journey (R1–R13) through the real gateway and services, and the ways it can
// turn: rejection (compensation, C3), cancel before and after cooking (request/response,
// C4), a cancel while payment is down, and who may do what.
#include <gtest/gtest.h>

#include "support/api.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::TestPlatform;



std::string field(Api& api, const std::string& target, const char* name) {
  auto reply = api.get(target);
  if (reply.status != 200) return "HTTP " + std::to_string(reply.status);
  auto* value = reply.body.as_object().if_contains(name);
  return value && value->is_string() ? std::string(value->get_string()) : std::string("-");
}

class Lifecycle : public fd::test::CustomerAndOwner {
 protected:
  using CustomerAndOwner::CustomerAndOwner;

  std::string order_path(std::int64_t id) { return "/orders/" + std::to_string(id); }
  std::string view_path(std::int64_t id) { return "/orderStatuses/" + std::to_string(id); }
  std::string cooking_path(std::int64_t id) { return "/foodCookings/" + std::to_string(id); }

  // Places an order and waits until it is in the owner's list.
  std::int64_t paid_order(std::int64_t menu_id = 101) {
    auto reply = customer.post("/orders", order_request(1, menu_id, 1));
    EXPECT_EQ(reply.status, 201) << reply.raw;
    auto id = reply.body.at("orderId").as_int64();
    EXPECT_TRUE(eventually([&] { return field(owner, cooking_path(id), "status") == "REQUESTED"; }));
    return id;
  }

  void kitchen(std::int64_t id, const std::string& command, int expected = 200) {
    auto reply = owner.call("PUT", cooking_path(id) + "/" + command);
    EXPECT_EQ(reply.status, expected) << command << ": " << reply.raw;
  }

  bool view_is(std::int64_t id, const std::string& status) {
    return eventually([&] { return field(customer, view_path(id), "status") == status; });
  }

  // Whether the stream comes to hold one event of the type for the order. A service shows
  // its change from its commit, and the event reaches the stream a moment later (with
  // replicas, when the replica leading the relay polls its outbox): what a test saw of the
  // commit does not say the event is there yet.
  bool published_once(const char* type, std::int64_t id) {
    return eventually(
        [&] { return fd::test::count_events(platform::read_stream(platform.bus_url()), type, id) == 1; });
  }
};

// What the events carry between the services, on JetStream and on Kafka.
class LifecycleOnEachBus : public Lifecycle, public fd::test::OnEachBus {
 protected:
  LifecycleOnEachBus() : Lifecycle(bus_env()) {}
};
FD_INSTANTIATE_ON_EACH_BUS(LifecycleOnEachBus);

TEST_P(LifecycleOnEachBus, CancelBeforeCookingIsCanceledAndRefundedAtOnce) {
  auto id = paid_order();
  kitchen(id, "accept");
  ASSERT_TRUE(eventually([&] { return field(customer, order_path(id), "status") == "ACCEPTED"; }));
  auto reply = customer.call("PUT", order_path(id) + "/cancel");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body.at("status").as_string(), "CANCELED");
  // Synchronous: the payment is already canceled when the answer arrives.
  EXPECT_EQ(field(customer, "/payments/" + std::to_string(id), "status"), "CANCELED");
  EXPECT_EQ(field(owner, cooking_path(id), "status"), "CANCELED");
  kitchen(id, "start", 409);
  ASSERT_TRUE(view_is(id, "CANCELED"));
  ASSERT_TRUE(published_once("OrderCanceled", id));
  EXPECT_TRUE(published_once("PaymentCanceled", id));
  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "PaymentCanceled", id), 1);
}

TEST_F(Lifecycle, CancelAfterCookingStartedIs409AndChangesNothing) {
  auto id = paid_order();
  kitchen(id, "accept");
  kitchen(id, "start");
  ASSERT_TRUE(eventually([&] { return field(customer, order_path(id), "status") == "COOKING"; }));
  auto reply = customer.call("PUT", order_path(id) + "/cancel");
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(reply.content_type, "application/problem+json");
  EXPECT_NE(reply.body.at("detail").as_string().find("cooking has already started"), std::string::npos) << reply.raw;
  EXPECT_EQ(field(customer, order_path(id), "status"), "COOKING");
  EXPECT_EQ(field(customer, "/payments/" + std::to_string(id), "status"), "APPROVED");
  EXPECT_EQ(field(owner, cooking_path(id), "status"), "COOKING");
}

TEST_P(LifecycleOnEachBus, CancelWhilePaymentIsDownRefundsOnceWhenItIsBack) {
  auto id = paid_order();
  platform.kill("payment");
  auto reply = customer.call("PUT", order_path(id) + "/cancel");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body.at("status").as_string(), "CANCELED");
  ASSERT_TRUE(view_is(id, "CANCELED"));
  platform.start();
  // (On Kafka the restarted payment consumes once its killed self's session is over: 6 s.)
  ASSERT_TRUE(eventually([&] { return field(customer, "/payments/" + std::to_string(id), "status") == "CANCELED"; },
                         std::chrono::seconds(30)));
  EXPECT_TRUE(published_once("PaymentCanceled", id));
  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "PaymentCanceled", id), 1);
  EXPECT_FALSE(platform::read_stream(platform.bus_url()).empty());
}

TEST_F(Lifecycle, AnOrderCanceledBeforePaymentHeardOfItShowsItsPaymentCanceledEverywhere) {
  // With the broker away, OrderPlaced waits in the order service's outbox: the cancel
  // reaches payment (synchronously) before the order does.
  platform.kill("nats");
  auto placed = customer.post("/orders", order_request(1, 101, 1));
  ASSERT_EQ(placed.status, 201) << placed.raw;
  auto id = placed.body.at("orderId").as_int64();
  auto reply = customer.call("PUT", order_path(id) + "/cancel");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body.at("status").as_string(), "CANCELED");
  platform.start();

  auto payment = "/payments/" + std::to_string(id);
  ASSERT_TRUE(eventually([&] { return field(customer, payment, "status") == "CANCELED"; }, fd::test::kAfterBusRestart))
      << field(customer, payment, "status");
  ASSERT_TRUE(eventually([&] { return field(customer, view_path(id), "paymentStatus") == "CANCELED"; },
                         std::chrono::seconds(15)))
      << field(customer, view_path(id), "paymentStatus");
  EXPECT_EQ(field(customer, view_path(id), "status"), "CANCELED");
  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "PaymentCanceled", id), 1);
  EXPECT_EQ(fd::test::count_events(events, "PaymentApproved", id), 0);
}

TEST_P(LifecycleOnEachBus, ACancelTheStoreCouldNotAnswerIsFinishedOnceItCan) {
  auto id = paid_order();
  platform.kill("store");
  auto reply = customer.call("PUT", order_path(id) + "/cancel");
  EXPECT_EQ(reply.status, 503) << reply.raw;
  EXPECT_FALSE(reply.body.at("detail").as_string().empty());
  EXPECT_EQ(field(customer, order_path(id), "status"), "PAID");  // nothing decided without the store
  platform.start();
  // The recorded intent is carried out once the store answers: no second tap needed.
  ASSERT_TRUE(eventually([&] { return field(customer, order_path(id), "status") == "CANCELED"; },
                         std::chrono::seconds(30)));
  EXPECT_TRUE(eventually([&] { return field(customer, "/payments/" + std::to_string(id), "status") == "CANCELED"; }));
  EXPECT_EQ(field(owner, cooking_path(id), "status"), "CANCELED");
  EXPECT_TRUE(published_once("OrderCanceled", id));
  EXPECT_TRUE(published_once("PaymentCanceled", id));
  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "OrderCanceled", id), 1);
  EXPECT_EQ(fd::test::count_events(events, "PaymentCanceled", id), 1);
}

TEST_P(LifecycleOnEachBus, ARejectionIsCompensatedByARefund) {
  auto id = paid_order();
  EXPECT_EQ(owner.call("PUT", cooking_path(id) + "/reject", "{}").status, 400);
  auto reply = owner.call("PUT", cooking_path(id) + "/reject", R"({"reason":"재료 소진"})");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_TRUE(view_is(id, "REJECTED"));
  ASSERT_TRUE(eventually([&] { return field(customer, "/payments/" + std::to_string(id), "status") == "CANCELED"; }));
  EXPECT_TRUE(eventually([&] { return field(customer, order_path(id), "status") == "REJECTED"; }));
  EXPECT_TRUE(published_once("PaymentCanceled", id));
  auto events = platform::read_stream(platform.bus_url());
  EXPECT_EQ(fd::test::count_events(events, "OrderRejected", id), 1);
  EXPECT_EQ(fd::test::count_events(events, "PaymentCanceled", id), 1);
}

TEST_F(Lifecycle, NobodyCommandsWhatIsNotTheirs) {
  auto id = paid_order();
  Api owner2(platform.gateway_port()), customer2(platform.gateway_port()), rider(platform.gateway_port());
  owner2.login("owner2");
  customer2.login("customer2");
  rider.login("rider1");
  EXPECT_EQ(owner2.call("PUT", cooking_path(id) + "/accept").status, 404);
  EXPECT_EQ(customer.call("PUT", cooking_path(id) + "/accept").status, 403);
  EXPECT_EQ(customer2.call("PUT", order_path(id) + "/cancel").status, 404);
  EXPECT_EQ(owner.call("PUT", order_path(id) + "/cancel").status, 403);
  EXPECT_EQ(rider.call("PUT", order_path(id) + "/deliveryconfirm").status, 403);
  EXPECT_EQ(customer.call("PUT", order_path(id) + "/deliveryconfirm").status, 409);
  // The internal endpoints are not routed by the gateway, and refuse users even directly.
  EXPECT_EQ(customer.call("PUT", "/internal/payments/" + std::to_string(id) + "/cancel").status, 404);
  platform::HttpClient direct("127.0.0.1", static_cast<std::uint16_t>(platform.port("payment")));
  auto refused = direct.send("PUT", "/internal/payments/" + std::to_string(id) + "/cancel", {},
                             {{"Authorization", "Bearer " + customer.token()}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(field(customer, "/payments/" + std::to_string(id), "status"), "APPROVED");
  EXPECT_EQ(field(owner, cooking_path(id), "status"), "REQUESTED");
}

TEST_F(Lifecycle, HalLinksAdvertiseOnlyTheCommandsAllowedNow) {
  auto id = paid_order();
  auto links = [&](Api& api, const std::string& target) { return api.get(target).body.at("_links").as_object(); };
  EXPECT_TRUE(links(owner, cooking_path(id)).contains("accept"));
  EXPECT_TRUE(links(owner, cooking_path(id)).contains("reject"));
  EXPECT_FALSE(links(owner, cooking_path(id)).contains("start"));
  EXPECT_TRUE(links(customer, order_path(id)).contains("cancel"));
  kitchen(id, "accept");
  kitchen(id, "start");
  EXPECT_FALSE(links(owner, cooking_path(id)).contains("accept"));
  EXPECT_TRUE(links(owner, cooking_path(id)).contains("finish"));
  ASSERT_TRUE(eventually([&] { return field(customer, order_path(id), "status") == "COOKING"; }));
  EXPECT_FALSE(links(customer, order_path(id)).contains("cancel"));
}

}  // namespace
