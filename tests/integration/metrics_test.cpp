// Every service's /metrics as Prometheus reads it: `promtool check metrics` (Debian's
// prometheus) passes on each, and each says what an operator watches: requests by route
// template, the process's own figures, the outbox, the events it published, and, for the
// customer service, the KakaoTalk queue and how its attempts ended.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "platform/http_client.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/fake_kakao.hpp"
#include "support/platform_fixture.hpp"
#include "support/scratch.hpp"

namespace {

using fd::test::eventually;

std::string scrape(const fd::test::TestPlatform& platform, const std::string& service) {
  platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(platform.port(service)),
                              std::chrono::seconds(10));
  auto response = client.send("GET", "/metrics");
  EXPECT_EQ(response.status, 200) << service;
  EXPECT_EQ(response.content_type.rfind("text/plain; version=0.0.4", 0), 0u) << service << ": " << response.content_type;
  return response.body;
}

// The value of the first sample whose line starts with `series` (name and labels as written).
double sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(series, 0) == 0 && line.size() > series.size() && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

class Metrics : public ::testing::Test {
 protected:
  fd::test::FakeKakao kakao;
  fd::test::TestPlatform platform{{{"FD_KAKAO_BASE_URL", kakao.base_url()}, {"FD_KAKAO_TOKEN", kakao.token()}}};
};

// The names of a service's threads (/proc/<pid>/task/*/comm), each as often as it runs.
std::multiset<std::string> thread_names(const fd::test::TestPlatform& platform, const std::string& service) {
  int pid = 0;
  std::ifstream(platform.run_dir() + "/" + service + ".pid") >> pid;
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    names.insert(name);
  }
  return names;
}

// Each thread a service starts says what it does, for top -H, perf and gdb; the main thread
// keeps the program's name, which is the process's. (A thread libnats starts takes the name of
// the one that connected. "bus-tail", the reader for /events/stream, begins with the first
// stream: see live_test.cpp.)
TEST_F(Metrics, EachServicesThreadsAreNamedForWhatTheyDo) {
  auto customer = thread_names(platform, "customer");
  for (const char* name : {"fd-customer", "consumer", "relay", "kakao-sender"})
    EXPECT_GE(customer.count(name), 1u) << name;
  EXPECT_EQ(customer.count("consumer"), 1u);
  EXPECT_EQ(customer.count("kakao-call"), 8u);  // with a Kakao token: FD_KAKAO_PARALLEL_CALLS, 8 by default
  auto order = thread_names(platform, "order");
  EXPECT_GE(order.count("fd-order"), 1u);
  EXPECT_EQ(order.count("http"), 3u);  // its four HTTP threads: the main one and three more
  EXPECT_EQ(order.count("cancel recovery"), 1u);
  EXPECT_EQ(order.count("idempotency key"), 1u);  // "idempotency key purge", cut to Linux's 15
  EXPECT_GE(thread_names(platform, "auth").count("http-cpu"), 1u);  // password hashing
}

TEST_F(Metrics, EveryServiceServesWhatPromtoolAcceptsAndWhatAnOperatorWatches) {
  fd::test::Api customer(platform.gateway_port());
  customer.login("customer1");
  auto placed = customer.post("/orders", fd::test::order_request(1, 101, 2));
  ASSERT_EQ(placed.status, 201) << placed.raw;
  const auto order_id = placed.body.at("orderId").as_int64();
  // The customer service has sent PLACED and PAID to Kakao: the order has gone round.
  ASSERT_TRUE(eventually([&] { return kakao.messages().size() >= 2; })) << kakao.messages().size();
  EXPECT_EQ(customer.get("/orders/" + std::to_string(order_id)).status, 200);

  for (const std::string service : {"auth", "order", "payment", "store", "customer", "rider"}) {
    SCOPED_TRACE(service);
    auto text = scrape(platform, service);
    auto file = platform.root_dir() + "/" + service + ".metrics";
    std::ofstream(file) << text;
    auto checked = fd::test::run_command("promtool check metrics < " + file);
    EXPECT_EQ(checked.status, 0) << checked.output << "\n" << text;

    for (const char* family : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                               "process_max_fds", "process_start_time_seconds", "fd_outbox_pending"})
      EXPECT_GE(sample(text, family), 0) << family << " missing:\n" << text;
    EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1e6);
    EXPECT_GT(sample(text, "process_open_fds"), 2);
    // Each health check the platform script made is a request of the route template /health.
    EXPECT_GE(sample(text, R"(fd_http_request_duration_seconds_count{method="GET",route="/health",status="2xx"})"), 1)
        << text;
  }

  auto order = scrape(platform, "order");
  EXPECT_EQ(sample(order, R"(fd_http_request_duration_seconds_count{method="POST",route="/orders",status="2xx"})"), 1)
      << order;
  // Labelled by the route's template, not by the order's own path.
  EXPECT_GE(sample(order, R"(fd_http_request_duration_seconds_count{method="GET",route="/orders/{orderId}",status="2xx"})"),
            1)
      << order;
  EXPECT_EQ(order.find("route=\"/orders/" + std::to_string(order_id) + "\""), std::string::npos);
  EXPECT_GE(sample(order, R"(fd_events_published_total{type="OrderPlaced"})"), 1) << order;
  EXPECT_GE(sample(scrape(platform, "payment"), R"(fd_events_published_total{type="PaymentApproved"})"), 1);

  // The store applied the order's OrderPlaced, and each consumer says how far behind it is.
  auto store = scrape(platform, "store");
  EXPECT_GE(sample(store, R"(fd_events_consumed_total{outcome="applied",type="OrderPlaced"})"), 1) << store;
  EXPECT_GE(sample(store, R"(fd_consumer_lag{partition="0"})"), 0) << store;
  // On JetStream a service is sent only the events it reacts to (the subject names it): the
  // order and rider services, which do not react to OrderPlaced, never received it to ignore,
  // nor any other event they do not react to.
  for (const std::string service : {"order", "rider"}) {
    auto text = scrape(platform, service);
    EXPECT_EQ(text.find(R"(fd_events_consumed_total{outcome="ignored")"), std::string::npos) << service << ":\n" << text;
  }
  EXPECT_GE(sample(scrape(platform, "order"), R"(fd_events_consumed_total{outcome="applied",type="PaymentApproved"})"), 1);

  auto customer_metrics = scrape(platform, "customer");
  EXPECT_GE(sample(customer_metrics, R"(fd_kakao_attempts_total{result="sent"})"), 2) << customer_metrics;
  EXPECT_GE(sample(customer_metrics, R"(fd_kakao_messages{state="SENT"})"), 2) << customer_metrics;
  EXPECT_EQ(sample(customer_metrics, R"(fd_kakao_messages{state="SENDING"})"), 0) << customer_metrics;
  EXPECT_GE(sample(customer_metrics, R"(fd_kakao_messages{state="PENDING"})"), 0) << customer_metrics;
}

// On JetStream and on Kafka.
class MetricsOnEachBus : public ::testing::Test, public fd::test::OnEachBus {
 protected:
  fd::test::TestPlatform platform{bus_env()};
};
FD_INSTANTIATE_ON_EACH_BUS(MetricsOnEachBus);

// Events that waited for a service while it was down reach it together when it comes back, and
// it applies what arrived together in one transaction: its batches (fd_consumer_batch_size)
// hold more than one event on average.
TEST_P(MetricsOnEachBus, EventsThatWaitedForAServiceAreAppliedTogetherWhenItComesBack) {
  constexpr int kOrders = 8;
  fd::test::Api customer(platform.gateway_port());
  customer.login("customer1");
  platform.kill("store");
  std::vector<std::int64_t> paid;
  for (int i = 0; i < kOrders; ++i) {
    auto placed = customer.post("/orders", fd::test::order_request(1, 101, 1));
    ASSERT_EQ(placed.status, 201) << placed.raw;
    paid.push_back(placed.body.at("orderId").as_int64());
  }
  // Each order's OrderPlaced and PaymentApproved wait in the store's consumer.
  for (auto id : paid)
    ASSERT_TRUE(eventually([&] {
      auto view = customer.get("/orderStatuses/" + std::to_string(id));
      return view.status == 200 && view.body.at("status").as_string() == "PAID";
    })) << id;
  platform.start("store");

  std::string store;
  ASSERT_TRUE(eventually([&] {
    store = scrape(platform, "store");
    return sample(store, "fd_consumer_batch_size_sum") >= 2 * kOrders;
  })) << store;
  EXPECT_LT(sample(store, "fd_consumer_batch_size_count"), sample(store, "fd_consumer_batch_size_sum")) << store;
  EXPECT_EQ(sample(store, R"(fd_events_consumed_total{outcome="applied",type="PaymentApproved"})"), kOrders) << store;
}

// make observe: Prometheus started beside the running platform scrapes every service process
// and the gateway, and has loaded the alert rules.
TEST_F(Metrics, ObserveStartsPrometheusScrapingEveryService) {
  const auto port = fd::test::free_port();
  const auto gateway_metrics_port = fd::test::free_port();
  std::string env = "env";
  for (const auto& [variable, value] : platform.env()) env += " " + variable + "='" + value + "'";
  env += " FD_PROMETHEUS_PORT=" + std::to_string(port) + " FD_GATEWAY_METRICS_PORT=" + std::to_string(gateway_metrics_port) +
         " FD_SCRAPE_INTERVAL=1s ";
  const std::string observe = env + FD_SOURCE_DIR + "/scripts/observe";
  // Whatever fails below, nothing it started outlives the test.
  struct StopAtEnd {
    std::string command;
    ~StopAtEnd() { fd::test::run_command(command); }
  } stop_at_end{observe + " stop"};
  auto started = fd::test::run_command(observe + " start");
  ASSERT_EQ(started.status, 0) << started.output;
  EXPECT_NE(started.output.find("http://127.0.0.1:" + std::to_string(port)), std::string::npos) << started.output;

  platform::HttpClient prometheus("127.0.0.1", static_cast<std::uint16_t>(port), std::chrono::seconds(10));
  auto up_targets = [&] {
    auto answer = prometheus.send("GET", "/api/v1/query?query=count(up%3D%3D1)");
    if (answer.status != 200) return std::int64_t{0};
    auto result = boost::json::parse(answer.body).at("data").at("result").as_array();
    if (result.empty()) return std::int64_t{0};
    return static_cast<std::int64_t>(std::stod(std::string(result[0].at("value").as_array()[1].as_string())));
  };
  // The six services and the gateway (its nginx through `fooddelivery gateway-metrics`).
  EXPECT_TRUE(eventually([&] { return up_targets() == 7; }, std::chrono::seconds(30))) << up_targets();
  auto gateway = prometheus.send("GET", "/api/v1/query?query=nginx_up");
  EXPECT_NE(gateway.body.find("\"job\":\"gateway\""), std::string::npos) << gateway.body;
  EXPECT_NE(gateway.body.find(",\"1\"]"), std::string::npos) << "gateway-metrics does not reach nginx: " << gateway.body;
  // The gateway's /metrics passes promtool's lint too, and counts what it handles: the
  // requests it answered go up by at least the ones made here.
  platform::HttpClient gateway_metrics("127.0.0.1", static_cast<std::uint16_t>(gateway_metrics_port),
                                       std::chrono::seconds(10));
  auto requests_now = [&] {
    auto answer = gateway_metrics.send("GET", "/metrics");
    EXPECT_EQ(answer.status, 200) << answer.body;
    return sample(answer.body, "nginx_http_requests_total");
  };
  const auto before = requests_now();
  fd::test::Api api(platform.gateway_port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api.get("/health").status, 200);
  EXPECT_GE(requests_now(), before + 3);
  auto gateway_file = platform.root_dir() + "/gateway.metrics";
  auto checked = fd::test::run_command("curl -fsS http://127.0.0.1:" + std::to_string(gateway_metrics_port) +
                                       "/metrics > " + gateway_file + " && promtool check metrics < " + gateway_file);
  EXPECT_EQ(checked.status, 0) << checked.output;

  auto rules = prometheus.send("GET", "/api/v1/rules");
  EXPECT_EQ(rules.status, 200);
  for (const char* alert : {"ServiceDown", "GatewayDown", "OutboxStuck", "ConsumerLagGrowing", "CircuitBreakerOpen", "KakaoTalkQueueGrowing", "DeadLetters"})
    EXPECT_NE(rules.body.find(std::string("\"") + alert + "\""), std::string::npos) << alert << " not loaded";

  auto status = fd::test::run_command(observe + " status");
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find("order 127.0.0.1:" + std::to_string(platform.port("order")) + " up 1"),
            std::string::npos)
      << status.output;
  auto stopped = fd::test::run_command(observe + " stop");
  EXPECT_EQ(stopped.status, 0) << stopped.output;
  EXPECT_NE(fd::test::run_command(observe + " status").status, 0) << "still running after stop";
}

// With nginx gone (its status socket not there), the gateway's /metrics still answers, says so
// in nginx_up 0 (what ServiceDown-like alerts read) and stays valid for promtool.
TEST(GatewayMetrics, SayNginxIsDownWhenItsStatusSocketDoesNotAnswer) {
  const auto folder = fd::test::make_temp_dir("fd-gateway-metrics-");
  const auto port = fd::test::free_port();
  const pid_t served = fd::test::spawn({std::string(FD_BUILD_DIR) + "/bin/fooddelivery", "gateway-metrics", "--socket",
                                        folder + "/gateway-status.sock", "--port", std::to_string(port)},
                                       folder + "/gateway-metrics.log");
  struct StopAtEnd {
    pid_t pid;
    std::string folder;
    ~StopAtEnd() {
      kill(pid, SIGTERM);
      std::filesystem::remove_all(folder);
    }
  } stop_at_end{served, folder};
  platform::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(port), std::chrono::seconds(5));
  std::string body;
  ASSERT_TRUE(eventually([&] {
    try {
      auto answer = client.send("GET", "/metrics");
      body = answer.body;
      return answer.status == 200;
    } catch (const std::exception&) {
      return false;  // not listening yet
    }
  })) << fd::test::tail_of(folder + "/gateway-metrics.log");
  EXPECT_EQ(sample(body, "nginx_up"), 0) << body;
  EXPECT_EQ(body.find("nginx_http_requests_total"), std::string::npos) << "counts of an nginx not read: " << body;
  auto checked = fd::test::run_command("curl -fsS http://127.0.0.1:" + std::to_string(port) +
                                       "/metrics | promtool check metrics");
  EXPECT_EQ(checked.status, 0) << checked.output;
}

}  // namespace
