// The customer service through the real gateway and nats-server (R9, R10, C2): the order
// status view and its KakaoTalk messages, sent to a fake Kakao API. The events are
// published straight into JetStream, as their producers would; the other services run
// too and react to them, and what they publish in turn (a second PaymentApproved, say)
// must change nothing either.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "platform/messaging.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/fake_kakao.hpp"
#include "support/platform_fixture.hpp"
#include "support/publish.hpp"
#include "support/scratch.hpp"
#include "support/stream_reader.hpp"
#include "support/threads.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::FakeKakao;
using fd::test::TestPlatform;
using std::chrono::seconds;

const char* const kStore = "교촌치킨 강남역점";

std::string text_of(std::int64_t order, const char* label) {
  return "[음식배달] 주문 " + std::to_string(order) + " " + kStore + ": " + label;
}

boost::json::array collection(Api& api, const std::string& target, const char* name) {
  auto reply = api.get(target);
  if (reply.status != 200) return {};
  return reply.body.at("_embedded").at(name).as_array();
}

// The caller's notifications of one order, newest first.
boost::json::array notifications_of(Api& api, std::int64_t order) {
  boost::json::array out;
  for (auto& item : collection(api, "/notifications", "notifications"))
    if (item.at("orderId").as_int64() == order) out.push_back(item);
  return out;
}

std::vector<std::string> strings(const boost::json::array& items, const char* key) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    auto* value = item.as_object().if_contains(key);
    out.push_back(value && value->is_string() ? std::string(value->get_string()) : "-");
  }
  return out;
}

class CustomerService : public ::testing::Test {
 protected:
  FakeKakao kakao;
  // A call whose answer the test holds must not time out meanwhile, however slow the machine.
  TestPlatform platform{{"FD_KAKAO_BASE_URL", kakao.base_url()},
                        {"FD_KAKAO_TOKEN", kakao.token()},
                        {"FD_KAKAO_TIMEOUT_MS", "60000"}};
  Api customer{platform.gateway_port()};

  void SetUp() override { customer.login("customer1"); }

  void publish(const std::string& type, std::int64_t order, boost::json::object body = {}) {
    body["orderId"] = order;
    body["customerId"] = "customer1";
    fd::test::publish_event(platform.nats_url(), type, std::move(body));
  }

  void place(std::int64_t order) {
    publish("OrderPlaced", order,
            {{"storeId", 1},
             {"storeName", kStore},
             {"items", {{{"menuId", 101}, {"name", "허니콤보"}, {"price", 23000}, {"qty", 1}}}},
             {"totalPrice", 23000},
             {"address", "서울 강남구 테헤란로 152"},
             {"lat", 37.5006},
             {"lon", 127.0364},
             {"status", "PLACED"}});
  }
  void paid(std::int64_t order) { publish("PaymentApproved", order, {{"amount", 23000}, {"status", "APPROVED"}}); }
  void store_event(const char* type, std::int64_t order, boost::json::object body = {}) {
    body["storeId"] = 1;
    publish(type, order, std::move(body));
  }
  void cook_finished(std::int64_t order) {
    store_event("CookFinished", order,
                {{"storeName", kStore}, {"storeLat", 37.4979}, {"storeLon", 127.0276},
                 {"address", "서울 강남구 테헤란로 152"}, {"lat", 37.5006}, {"lon", 127.0364}, {"status", "COOKED"}});
  }
  void rider_event(const char* type, std::int64_t order, boost::json::object body = {}) {
    body["riderId"] = "rider1";
    publish(type, order, std::move(body));
  }

  boost::json::object view(std::int64_t order) {
    auto reply = customer.get("/orderStatuses/" + std::to_string(order));
    return reply.status == 200 ? reply.body.as_object() : boost::json::object{};
  }
  std::string status(std::int64_t order) {
    auto body = view(order);
    return body.contains("status") ? std::string(body.at("status").as_string()) : "none";
  }

  std::vector<std::string> kakao_texts(std::int64_t order) {
    std::vector<std::string> out;
    auto link = "/orderStatuses/" + std::to_string(order);
    for (const auto& message : kakao.messages())
      if (message.web_url.ends_with(link)) out.push_back(message.text);
    return out;
  }

  bool caught_up() {
    return eventually([&] { return fd::test::consumer_caught_up(platform.nats_url(), "customer"); }, seconds(10));
  }

  // Every queued message of the order has left the queue.
  bool all_delivered(std::int64_t order, std::size_t count) {
    return eventually([&] {
      auto items = notifications_of(customer, order);
      if (items.size() != count) return false;
      for (const auto& state : strings(items, "state"))
        if (state == "PENDING" || state == "SENDING") return false;
      return true;
    }, seconds(10));
  }

  fd::test::CommandResult rebuild() {
    // As the customer service's own bus identity, which may delete its consumer and no other.
    return fd::test::run_command("FD_DB_URL=sqlite:" + platform.data_dir() + "/customer.db FD_NATS_URL=" + platform.nats_url("customer") + " " +
               FD_BUILD_DIR + "/bin/fd-customer --rebuild");
  }
};

TEST_F(CustomerService, AWholeDeliveryShowsInTheViewAndSendsOneMessagePerStatus) {
  const std::int64_t id = 7001;
  place(id);
  paid(id);
  store_event("OrderAccepted", id, {{"status", "ACCEPTED"}});
  store_event("CookStarted", id, {{"status", "COOKING"}});
  cook_finished(id);
  rider_event("DeliveryAssigned", id, {{"storeId", 1}, {"status", "ASSIGNED"}});
  rider_event("Picked", id, {{"status", "PICKED_UP"}});
  publish("DeliveryConfirmed", id, {{"storeId", 1}, {"riderId", "rider1"}, {"status", "DELIVERED"}});
  publish("PaymentSettled", id, {{"amount", 23000}, {"status", "SETTLED"}});

  ASSERT_TRUE(eventually([&] {
    auto body = view(id);
    return body.contains("paymentStatus") && body.at("paymentStatus") == "SETTLED";
  })) << boost::json::serialize(view(id));
  auto body = view(id);
  EXPECT_EQ(body.at("status"), "DELIVERED");
  EXPECT_EQ(body.at("storeId"), 1);
  EXPECT_EQ(body.at("storeName"), kStore);
  EXPECT_EQ(body.at("riderId"), "rider1");
  EXPECT_EQ(body.at("totalPrice"), 23000);
  EXPECT_EQ(body.at("items").as_array().at(0).at("name"), "허니콤보");
  EXPECT_EQ(body.at("_links").at("self").at("href"), "/orderStatuses/7001");
  const auto& timeline = body.at("timeline").as_array();
  EXPECT_EQ(strings(timeline, "status"),
            (std::vector<std::string>{"PLACED", "PAID", "ACCEPTED", "COOKING", "COOKED", "RIDER_ASSIGNED", "PICKED_UP",
                                      "DELIVERED", "DELIVERED"}));
  EXPECT_EQ(strings(timeline, "eventType"),
            (std::vector<std::string>{"OrderPlaced", "PaymentApproved", "OrderAccepted", "CookStarted", "CookFinished",
                                      "DeliveryAssigned", "Picked", "DeliveryConfirmed", "PaymentSettled"}));
  EXPECT_EQ(strings(timeline, "paymentStatus"),
            (std::vector<std::string>{"-", "APPROVED", "-", "-", "-", "-", "-", "-", "SETTLED"}));
  auto times = strings(timeline, "at");
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));  // ISO-8601 text sorts as time does

  auto list = collection(customer, "/orderStatuses", "orderStatuses");
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0], body);

  const std::vector<std::string> expected = {
      text_of(id, "주문됨"),   text_of(id, "결제됨"),   text_of(id, "접수됨"), text_of(id, "조리시작"),
      text_of(id, "조리완료"), text_of(id, "배달배정"), text_of(id, "픽업"),   text_of(id, "배달완료")};
  ASSERT_TRUE(eventually([&] { return kakao_texts(id).size() >= expected.size(); }, seconds(10)))
      << kakao_texts(id).size();
  ASSERT_TRUE(caught_up());
  ASSERT_TRUE(all_delivered(id, expected.size()));
  EXPECT_EQ(kakao_texts(id), expected);
  EXPECT_TRUE(kakao.problems().empty()) << kakao.problems().front();
  EXPECT_TRUE(kakao.messages().front().mobile_web_url.ends_with("/orderStatuses/7001"));

  auto notifications = notifications_of(customer, id);
  EXPECT_EQ(notifications[0].at("status"), "DELIVERED");  // newest first
  EXPECT_EQ(notifications[0].at("text").as_string(), text_of(id, "배달완료"));
  for (const auto& item : notifications) {
    EXPECT_EQ(item.at("state"), "SENT") << item;
    EXPECT_EQ(item.at("attempts"), 1) << item;
    EXPECT_TRUE(item.at("sentAt").is_string()) << item;
    EXPECT_TRUE(item.at("createdAt").is_string()) << item;
  }
  auto one = customer.get(notifications[0].at("_links").at("self").at("href").as_string().c_str());
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body, notifications[0]);
}

TEST_F(CustomerService, AnEventPublishedTwiceOrDeliveredAgainSendsNoSecondMessage) {
  const std::int64_t id = 7002;
  place(id);
  paid(id);
  store_event("OrderAccepted", id);
  ASSERT_TRUE(eventually([&] { return status(id) == "ACCEPTED"; })) << status(id);
  // The same events again under new ids: past JetStream's de-duplication and the inbox.
  paid(id);
  store_event("OrderAccepted", id);
  place(id);
  ASSERT_TRUE(caught_up());
  ASSERT_TRUE(all_delivered(id, 3));
  EXPECT_EQ(view(id).at("timeline").as_array().size(), 3u);
  EXPECT_EQ(kakao_texts(id), (std::vector<std::string>{text_of(id, "주문됨"), text_of(id, "결제됨"), text_of(id, "접수됨")}));

  // The consumer loses its position: the whole stream is delivered again.
  auto requests = kakao.requests();
  platform.kill("customer");
  platform::forget_consumer(platform.nats_url(), "customer");
  platform.start();
  ASSERT_TRUE(caught_up());
  EXPECT_EQ(view(id).at("timeline").as_array().size(), 3u);
  EXPECT_EQ(notifications_of(customer, id).size(), 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a second message would have been sent by now
  EXPECT_EQ(kakao.requests(), requests);
  EXPECT_EQ(kakao_texts(id).size(), 3u);
}

TEST_F(CustomerService, AFailingKakaoIsRetriedUntilItAccepts) {
  const std::int64_t id = 7003;
  kakao.fail_next(2);
  place(id);
  // Seen between the attempts: waiting, with the count and the reason.
  ASSERT_TRUE(eventually([&] {
    auto items = notifications_of(customer, id);
    if (items.empty()) return false;
    const auto& first = items.back().as_object();  // the oldest: PLACED
    return first.at("state") == "PENDING" && first.at("attempts").as_int64() >= 1 &&
           first.at("lastError").is_string() && first.at("lastError").as_string().find("500") != std::string::npos;
  }));
  ASSERT_TRUE(eventually([&] {
    auto items = notifications_of(customer, id);
    return !items.empty() && items.back().at("state") == "SENT";
  }, seconds(10)));
  auto placed = notifications_of(customer, id).back().as_object();
  EXPECT_EQ(placed.at("status"), "PLACED");
  EXPECT_EQ(placed.at("attempts"), 3);
  EXPECT_TRUE(placed.at("lastError").is_null());
  EXPECT_GE(kakao.requests(), 3);
  auto texts = kakao_texts(id);
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts.front(), text_of(id, "주문됨"));
  EXPECT_EQ(std::count(texts.begin(), texts.end(), text_of(id, "주문됨")), 1);
}

// Kakao has shown the message, and the customer service is killed before it hears so: the
// message is in doubt. It is marked UNCONFIRMED when the service is back, never sent twice, and
// the order's next messages go out.
TEST_F(CustomerService, AMessageWhoseSendingAKillCutOffIsNeverSentAgain) {
  const std::int64_t id = 7010;
  auto state_of = [&](const char* status) {
    for (const auto& item : notifications_of(customer, id))
      if (item.at("status") == status) return std::string(item.at("state").as_string());
    return std::string("none");
  };
  kakao.hold_answers();
  place(id);  // the payment service pays it: PAID follows, and waits behind PLACED
  ASSERT_TRUE(eventually([&] { return kakao_texts(id).size() == 1; })) << kakao_texts(id).size();
  EXPECT_EQ(state_of("PLACED"), "SENDING");

  ASSERT_EQ(platform.run_script("kill", "customer"), 0);
  kakao.release_answers();
  ASSERT_EQ(platform.run_script("start"), 0);
  ASSERT_TRUE(all_delivered(id, 2)) << boost::json::serialize(notifications_of(customer, id));
  EXPECT_EQ(state_of("PLACED"), "UNCONFIRMED");
  EXPECT_EQ(state_of("PAID"), "SENT");
  EXPECT_EQ(kakao_texts(id), (std::vector<std::string>{text_of(id, "주문됨"), text_of(id, "결제됨")}));
  EXPECT_NE(platform.service_log("customer").find("KakaoTalk message in doubt"), std::string::npos);
}

// With Kakao answering in 100 ms, one call at a time would send ten messages a second: the
// messages of different orders go out side by side, and each order's one at a time, in order.
TEST_F(CustomerService, MessagesOfDifferentOrdersGoOutSideBySideAndEachOrdersInTurn) {
  const std::vector<std::int64_t> orders{7020, 7021, 7022, 7023};
  kakao.hold_answers();
  for (auto id : orders) place(id);  // the payment service pays each: its PAID waits behind its PLACED
  ASSERT_TRUE(eventually([&] { return kakao.held() == 4; })) << kakao.held() << " calls under way at once";
  ASSERT_TRUE(eventually([&] {
    return std::all_of(orders.begin(), orders.end(), [&](auto id) { return status(id) == "PAID"; });
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a PAID sent too early would be here by now
  EXPECT_EQ(kakao.held(), 4);
  EXPECT_EQ(kakao.requests(), 4);
  for (auto id : orders) EXPECT_EQ(kakao_texts(id), std::vector<std::string>{text_of(id, "주문됨")}) << id;

  kakao.release_answers();
  for (auto id : orders) {
    ASSERT_TRUE(all_delivered(id, 2)) << boost::json::serialize(notifications_of(customer, id));
    EXPECT_EQ(kakao_texts(id), (std::vector<std::string>{text_of(id, "주문됨"), text_of(id, "결제됨")})) << id;
  }
}

// The voluntary context switches so far of the customer service's threads named `name`.
long switches_of(const TestPlatform& platform, const std::string& name) {
  int pid = 0;
  std::ifstream(platform.run_dir() + "/customer.pid") >> pid;
  return fd::test::voluntary_switches(pid, name);
}

// A commit that queues no message (a rider's position, every 3 s of each delivery; here the
// order's payment approved again, as a new event) does not wake the sender: it wakes for its
// poll, once a second, and for the commits that queued a message.
TEST_F(CustomerService, OnlyTheCommitsThatQueuedAMessageWakeTheSender) {
  if (platform.profile() == "cluster")
    GTEST_SKIP() << "counts the waits of the one process that both applies the events and sends; on the cluster "
                    "those can be two replicas, whose database waits (PostgreSQL's) count too";
  place(7030);
  ASSERT_TRUE(all_delivered(7030, 2));  // PLACED and PAID: the sender has worked and waits
  const auto before = switches_of(platform, "kakao-sender");
  const auto start = std::chrono::steady_clock::now();
  constexpr int kCommits = 60;
  for (int i = 0; i < kCommits; ++i) {
    paid(7030);  // already PAID: no new status, no message; its inbox entry committed
    ASSERT_TRUE(caught_up()) << i;  // one commit each
  }
  const auto seconds_taken =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  const auto woken = switches_of(platform, "kakao-sender") - before;
  EXPECT_LT(woken, 3 * seconds_taken + 5) << woken << " waits of the sender for " << kCommits << " commits in "
                                          << seconds_taken << " s";
  place(7031);  // a commit that queues one still wakes it
  EXPECT_TRUE(all_delivered(7031, 2));
}

TEST_F(CustomerService, RebuildingTheViewGivesItBackAsItWasAndSendsNothingAgain) {
  place(7004);
  paid(7004);
  store_event("OrderAccepted", 7004);
  store_event("CookStarted", 7004);
  place(7005);
  paid(7005);
  store_event("OrderRejected", 7005, {{"reason", "재료 소진"}});
  publish("PaymentCanceled", 7005, {{"amount", 23000}, {"status", "CANCELED"}});
  // A rider on the way: the view's riderPosition comes back from the stream too.
  place(7006);
  paid(7006);
  cook_finished(7006);
  rider_event("DeliveryAssigned", 7006, {{"storeId", 1}, {"status", "ASSIGNED"}});
  rider_event("RiderPositionReported", 7006, {{"lat", 37.4992}, {"lon", 127.032}});
  ASSERT_TRUE(eventually([&] { return view(7006).contains("riderPosition") && view(7006).at("riderPosition").is_object(); }));
  EXPECT_EQ(view(7006).at("riderPosition").at("lat").to_number<double>(), 37.4992);
  ASSERT_TRUE(eventually([&] { return status(7004) == "COOKING"; })) << status(7004);
  ASSERT_TRUE(eventually([&] { return view(7005).contains("paymentStatus") && view(7005).at("paymentStatus") == "CANCELED"; }));
  ASSERT_TRUE(caught_up());
  ASSERT_TRUE(all_delivered(7004, 4));
  ASSERT_TRUE(all_delivered(7005, 3));
  ASSERT_TRUE(all_delivered(7006, 4));  // a position sends no message
  auto views_before = customer.get("/orderStatuses").body;
  auto notifications_before = customer.get("/notifications").body;
  auto requests = kakao.requests();

  auto refused = rebuild();  // while the service runs
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("stop it first"), std::string::npos) << refused.output;

  platform.kill("customer");
  auto done = rebuild();
  ASSERT_EQ(done.status, 0) << done.output;
  platform.start();
  ASSERT_TRUE(caught_up());
  ASSERT_TRUE(eventually([&] { return status(7004) == "COOKING"; }));
  EXPECT_EQ(customer.get("/orderStatuses").body, views_before);
  EXPECT_EQ(customer.get("/notifications").body, notifications_before);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a second message would have been sent by now
  EXPECT_EQ(kakao.requests(), requests);
}

TEST_F(CustomerService, OnlyTheCustomerSeesTheViewAndTheMessages) {
  const std::int64_t id = 7006;
  publish("PaymentApproved", 7999, {{"amount", 1}});  // an order the view never heard of
  publish("OrderPlaced", 7998, {{"storeId", 1}});      // missing what the view needs
  place(id);
  ASSERT_TRUE(eventually([&] { return status(id) == "PAID"; })) << status(id);  // paid by the payment service
  ASSERT_TRUE(all_delivered(id, 2));
  EXPECT_EQ(customer.get("/orderStatuses/7999").status, 404);
  EXPECT_EQ(customer.get("/orderStatuses/7998").status, 404);

  Api other(platform.gateway_port());
  other.login("customer2");
  auto reply = other.get("/orderStatuses/7006");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.content_type, "application/problem+json");
  EXPECT_NE(reply.body.at("detail").as_string().find("7006"), std::string::npos) << reply.raw;
  EXPECT_TRUE(collection(other, "/orderStatuses", "orderStatuses").empty());
  EXPECT_TRUE(collection(other, "/notifications", "notifications").empty());
  auto mine = notifications_of(customer, id);
  EXPECT_EQ(other.get(std::string(mine[0].at("_links").at("self").at("href").as_string())).status, 404);

  Api owner(platform.gateway_port());
  owner.login("owner1");
  EXPECT_EQ(owner.get("/notifications").status, 403);
  EXPECT_EQ(owner.get("/orderStatuses/7006").status, 403);
  Api anonymous(platform.gateway_port());
  EXPECT_EQ(anonymous.get("/notifications").status, 401);
}

TEST(CustomerServiceSettings, AParallelCallsSettingOutOfRangeStopsTheStart) {
  auto folder = fd::test::make_temp_dir("fd-kakao-calls-");
  for (const char* calls : {"0", "65"}) {
    auto started = fd::test::run_command(
        "env FD_JWT_SECRET=0123456789abcdef0123456789abcdef FD_DB_URL=sqlite:" + folder +
        "/customer.db FD_KAKAO_TOKEN=t FD_KAKAO_PARALLEL_CALLS=" + calls + " " + FD_BUILD_DIR + "/bin/fd-customer");
    EXPECT_NE(started.status, 0) << calls;
    EXPECT_NE(started.output.find(std::string("FD_KAKAO_PARALLEL_CALLS must be a number from 1 to 64: ") + calls),
              std::string::npos)
        << started.output;
  }
  std::filesystem::remove_all(folder);
}

TEST(CustomerServiceWithoutKakao, MessagesAreRecordedWhenNoTokenIsSet) {
  TestPlatform platform;
  Api customer(platform.gateway_port());
  customer.login("customer1");
  fd::test::publish_event(platform.nats_url(), "OrderPlaced",
                          {{"orderId", 7010},
                           {"customerId", "customer1"},
                           {"storeId", 1},
                           {"storeName", kStore},
                           {"items", boost::json::array{}},
                           {"totalPrice", 0},
                           {"address", "서울"},
                           {"lat", 37.5},
                           {"lon", 127.0}});
  ASSERT_TRUE(eventually([&] {
    auto items = notifications_of(customer, 7010);
    return !items.empty() && items.back().at("state") == "RECORDED";
  })) << customer.get("/notifications").raw;
  auto placed = notifications_of(customer, 7010).back();
  EXPECT_EQ(placed.at("text").as_string(), text_of(7010, "주문됨"));
  EXPECT_TRUE(placed.at("sentAt").is_null());
}

}  // namespace
