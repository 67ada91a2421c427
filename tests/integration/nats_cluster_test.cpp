// The cluster profile's bus: three nats-server nodes keeping the stream and every service's
// consumer in three copies, and the saga going on while the node leading the stream is
// killed (SIGKILL) and comes back: the services reconnect to another node, the relay
// publishes again what was not acknowledged (once in the stream: the message id), the
// consumers go on from the new leader.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/platform_fixture.hpp"
#include "support/stream_reader.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::TestPlatform;

const std::vector<std::string> kServices = {"auth", "order", "payment", "store", "customer", "rider"};

std::string status_of(Api& api, const std::string& target) {
  auto reply = api.get(target);
  if (reply.status != 200) return "HTTP " + std::to_string(reply.status);
  return std::string(reply.body.at("status").as_string());
}

class NatsCluster : public ::testing::Test {
 protected:
  TestPlatform platform{TestPlatform::Env{{"FD_PROFILE", "cluster"}}};
  Api customer{platform.gateway_port()};
  Api owner{platform.gateway_port()};

  void SetUp() override {
    customer.login("customer1");
    owner.login("owner1");
  }

  // The stream as the viewer identity sees it, once it has three copies, all caught up.
  platform::StreamPeers settled_peers() {
    platform::StreamPeers peers;
    bool settled = eventually([&] {
      try {
        peers = platform::stream_peers(platform.nats_url("viewer"));
      } catch (const std::exception&) {
        return false;  // (no leader elected yet)
      }
      bool current = peers.followers.size() == 2;
      for (const auto& [node, caught_up] : peers.followers) current = current && caught_up;
      return !peers.leader.empty() && current;
    });
    EXPECT_TRUE(settled) << "leader '" << peers.leader << "', " << peers.followers.size() << " followers";
    return peers;
  }

  // Placed, paid (the status view says so) and on its owner's list: the saga's first hops,
  // each an event through the stream and a consumer.
  bool completed(std::int64_t id) {
    return status_of(customer, "/orderStatuses/" + std::to_string(id)) == "PAID" &&
           status_of(owner, "/foodCookings/" + std::to_string(id)) == "REQUESTED";
  }
};

TEST_F(NatsCluster, ThreeNodesKeepTheStreamAndEveryConsumerInThreeCopies) {
  auto peers = settled_peers();
  EXPECT_EQ(peers.replicas, 3);
  std::set<std::string> nodes{peers.leader};
  for (const auto& [node, current] : peers.followers) nodes.insert(node);
  EXPECT_EQ(nodes, (std::set<std::string>{"nats-1", "nats-2", "nats-3"}));
  for (const auto& service : kServices) {
    auto consumer = platform::consumer_state(platform.nats_url("viewer"), service);
    EXPECT_TRUE(consumer.exists) << service;
    EXPECT_EQ(consumer.copies, 3) << service;
  }
  // Every service lists every node: connected to any, it can go to another.
  EXPECT_NE(platform.log("order-1").find(",nats://order@127.0.0.1:" + std::to_string(platform.port("nats-3"))),
            std::string::npos)
      << platform.log("order-1");
}

TEST_F(NatsCluster, OrdersPlacedWhileTheStreamsLeaderIsKilledAllCompleteTheirSaga) {
  constexpr int kOrders = 30;
  auto killed = settled_peers().leader;
  ASSERT_FALSE(killed.empty());

  std::vector<std::int64_t> placed;
  std::atomic<int> count{0};
  std::thread customers([&] {
    Api api(platform.gateway_port());
    api.token(customer.token());
    for (int i = 0; i < kOrders; ++i) {
      auto reply = api.post("/orders", order_request(1, 101, 1));
      EXPECT_EQ(reply.status, 201) << reply.raw;
      if (reply.status == 201) placed.push_back(reply.body.at("orderId").as_int64());
      ++count;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  // Killed after the first few orders, back (and caught up: its health check) a third later.
  ASSERT_TRUE(eventually([&] { return count >= kOrders / 6; }));
  platform.kill(killed);
  std::string leader;
  EXPECT_TRUE(eventually([&] {
    try {
      leader = platform::stream_peers(platform.nats_url("viewer")).leader;
    } catch (const std::exception&) {
      return false;
    }
    return !leader.empty() && leader != killed;
  })) << "no other node took the stream's lead from " << killed;
  ASSERT_TRUE(eventually([&] { return count >= kOrders / 2; }));
  platform.start(killed);
  customers.join();
  ASSERT_EQ(placed.size(), static_cast<std::size_t>(kOrders));

  std::size_t done = 0;
  EXPECT_TRUE(eventually(
      [&] {
        done = 0;
        for (auto id : placed) done += completed(id) ? 1 : 0;
        return done == placed.size();
      },
      std::chrono::seconds(60)))
      << done << " of " << placed.size() << " orders completed their saga";
  // Each once in the stream, however often the relay had to publish it again.
  auto events = platform::read_stream(platform.nats_url());
  for (auto id : placed) {
    EXPECT_EQ(fd::test::count_events(events, "OrderPlaced", id), 1) << id;
    EXPECT_EQ(fd::test::count_events(events, "PaymentApproved", id), 1) << id;
  }
  // The node that came back holds its copy again, caught up.
  auto peers = settled_peers();
  EXPECT_TRUE(peers.leader == killed || peers.followers.contains(killed)) << killed;
}

// A stream made with one copy (FD_NATS_STREAM_REPLICAS=1, or before the cluster) gets the two
// others when a service asking for three starts, and its consumers with it.
TEST(NatsClusterUpgrade, AStreamFoundWithFewerReplicasThanAskedGetsTheOthers) {
  TestPlatform platform(TestPlatform::Env{{"FD_PROFILE", "cluster"}, {"FD_NATS_STREAM_REPLICAS", "1"}},
                        std::vector<std::string>{"postgres", "nats", "payment"});
  auto peers = platform::stream_peers(platform.nats_url("viewer"));
  ASSERT_EQ(peers.replicas, 1);
  EXPECT_TRUE(peers.followers.empty());

  platform.run_script("stop", "payment");
  std::string output;
  ASSERT_EQ(platform.run_script("start", "payment", &output, {{"FD_NATS_STREAM_REPLICAS", "3"}}), 0) << output;
  std::size_t followers = 0;
  EXPECT_TRUE(eventually([&] {
    peers = platform::stream_peers(platform.nats_url("viewer"));
    followers = peers.followers.size();
    return peers.replicas == 3 && followers == 2;
  })) << peers.replicas << " replicas, " << followers << " followers";
  EXPECT_TRUE(eventually([&] { return platform::consumer_state(platform.nats_url("viewer"), "payment").copies == 3; }));
  auto log = platform.log("payment-1") + platform.log("payment-2");
  EXPECT_NE(log.find("JetStream stream brought to the configured replicas and limits"), std::string::npos) << log;
}

}  // namespace
