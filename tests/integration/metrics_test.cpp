// Every service's /metrics as Prometheus reads it: `promtool check metrics` (Debian's
// prometheus) passes on each, and each says what an operator watches: requests by route
// template, the process's own figures, the outbox, the events it published, and, for the
// customer service, the KakaoTalk queue and how its attempts ended.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "platform/http_client.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/fake_kakao.hpp"
#include "support/platform_fixture.hpp"

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

  auto customer_metrics = scrape(platform, "customer");
  EXPECT_GE(sample(customer_metrics, R"(fd_kakao_attempts_total{result="sent"})"), 2) << customer_metrics;
  EXPECT_GE(sample(customer_metrics, R"(fd_kakao_messages{state="SENT"})"), 2) << customer_metrics;
  EXPECT_EQ(sample(customer_metrics, R"(fd_kakao_messages{state="SENDING"})"), 0) << customer_metrics;
  EXPECT_GE(sample(customer_metrics, R"(fd_kakao_messages{state="PENDING"})"), 0) << customer_metrics;
}

}  // namespace
