// W3C Trace Context across the platform: an order placed through the gateway keeps one trace
// id in the log lines of every service it reaches and in the traceparent header of the events
// it causes, whether the caller gave the trace, gave none (the gateway starts one) or gave a
// malformed one (the first service starts a new one); a call from order to store carries the
// trace of the request that made it.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "platform/messaging.hpp"
#include "platform/trace.hpp"
#include "support/api.hpp"
#include "support/command.hpp"
#include "support/customer_and_owner.hpp"
#include "support/platform_fixture.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;

// The services an order's placing reaches: order takes the request, payment charges on
// OrderPlaced, store and customer follow PaymentApproved.
const std::vector<std::string> kReached = {"order", "payment", "store", "customer"};

// The trace ids of a service's log lines about an order (those saying `only`, when given).
std::set<std::string> traces_in_log(const std::string& log, std::int64_t order_id, std::string_view only = {}) {
  std::set<std::string> traces;
  std::istringstream lines(log);
  const std::string id = std::to_string(order_id);
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) continue;
    const auto& fields = value.as_object();
    const auto* order = fields.if_contains("orderId");
    if (!order || !order->is_string() || order->get_string() != id) continue;
    // The customer service's KakaoTalk sender works through its queue on a thread of its own,
    // outside the request or reaction that queued the message: its lines carry no trace.
    const auto* message = fields.if_contains("msg");
    if (message && message->is_string() && message->get_string().starts_with("KakaoTalk message")) continue;
    if (!only.empty() && (!message || !message->is_string() || message->get_string() != only)) continue;
    const auto* trace = fields.if_contains("traceId");
    traces.insert(trace && trace->is_string() ? std::string(trace->get_string()) : "(none)");
  }
  return traces;
}

// The trace ids in the traceparent headers of the order's events, by event type.
std::map<std::string, std::string> traces_in_events(const std::string& bus_url, std::int64_t order_id) {
  std::map<std::string, std::string> traces;
  for (const auto& event : platform::read_stream(bus_url)) {
    const auto* id = event.body.if_contains("orderId");
    if (!id || !id->is_int64() || id->get_int64() != order_id) continue;
    auto parent = platform::trace::parse(event.traceparent);
    traces[event.type] = parent ? std::string(parent->trace()) : "(none: '" + event.traceparent + "')";
  }
  return traces;
}

class TraceContext : public ::testing::Test, public fd::test::OnEachBus {
 protected:
  TraceContext() : platform(bus_env()) { customer.login("customer1"); }

  // Places an order with these extra headers; its id and the gateway's request id.
  std::pair<std::int64_t, std::string> place(const platform::Headers& headers) {
    auto placed = customer.call("POST", "/orders", boost::json::serialize(fd::test::order_request(1, 101, 1)), headers);
    EXPECT_EQ(placed.status, 201) << placed.raw;
    return {placed.body.at("orderId").as_int64(), placed.header("X-Request-Id")};
  }

  // Once every reached service has logged about the order, each in this one trace only, and
  // the events it caused carry it.
  void expect_one_trace(std::int64_t order_id, const std::string& trace) {
    EXPECT_TRUE(eventually([&] {
      for (const auto& service : kReached)
        if (!traces_in_log(platform.service_log(service), order_id).contains(trace)) return false;
      return true;
    })) << "a service never logged about order " << order_id << " in trace " << trace;
    for (const auto& service : kReached)
      EXPECT_EQ(traces_in_log(platform.service_log(service), order_id), std::set<std::string>{trace}) << service;
    std::map<std::string, std::string> events;
    EXPECT_TRUE(eventually([&] {
      events = traces_in_events(platform.bus_url(), order_id);
      return events.contains("OrderPlaced") && events.contains("PaymentApproved");
    }));
    for (const auto& [type, in] : events) EXPECT_EQ(in, trace) << type;
  }

  fd::test::TestPlatform platform;
  Api customer{platform.gateway_port()};
};
FD_INSTANTIATE_ON_EACH_BUS(TraceContext);

TEST_P(TraceContext, TheCallersTraceReachesEveryServiceAndEventTheOrderTouches) {
  const std::string given = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto [order_id, request_id] = place({{"traceparent", "00-" + given + "-00f067aa0ba902b7-01"}});
  expect_one_trace(order_id, given);
  // The events tool's long format shows it among the headers.
  const std::string tool = std::string(FD_BUILD_DIR) + "/bin/fooddelivery events -l --type OrderPlaced --order " +
                           std::to_string(order_id);
  auto shown = fd::test::run_command(platform.bus() == "kafka"
                                         ? "FD_BUS_URL='" + platform.bus_url() + "' " + tool + " 2>&1"
                                         : "FD_BUS_URL= " + tool + " --nats '" + platform.nats_url() + "' 2>&1");
  ASSERT_EQ(shown.status, 0) << shown.output;
  EXPECT_NE(shown.output.find("\"traceparent\":\"00-" + given + "-"), std::string::npos) << shown.output;

  // Canceling it, order asks store over HTTP: store handles that call in the canceling trace.
  const std::string canceling = "0af7651916cd43dd8448eb211c80319c";
  auto canceled = customer.call("PUT", "/orders/" + std::to_string(order_id) + "/cancel", {},
                                {{"traceparent", "00-" + canceling + "-b7ad6b7169203331-01"}});
  ASSERT_EQ(canceled.status, 200) << canceled.raw;
  EXPECT_TRUE(eventually([&] {
    return traces_in_log(platform.service_log("store"), order_id, "cooking canceled") == std::set<std::string>{canceling};
  })) << platform.log("store");

  // Without one, the gateway starts the trace under its request id.
  auto [untraced, untraced_request] = place({});
  ASSERT_TRUE(platform::trace::parse("00-" + untraced_request + "-00f067aa0ba902b7-01")) << untraced_request;
  expect_one_trace(untraced, untraced_request);

  // A malformed one (upper case) is replaced by a new trace, which crosses the services as well.
  auto [malformed, malformed_request] = place({{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"}});
  std::string started;
  ASSERT_TRUE(eventually([&] {
    auto traces = traces_in_log(platform.log("order"), malformed);
    if (traces.size() != 1) return false;
    started = *traces.begin();
    return true;
  }));
  EXPECT_TRUE(platform::trace::parse("00-" + started + "-00f067aa0ba902b7-01")) << started;
  EXPECT_NE(started, given);
  EXPECT_NE(started, malformed_request);  // the service's own, not the gateway's
  expect_one_trace(malformed, started);
}

}  // namespace
