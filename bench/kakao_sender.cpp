// How many KakaoTalk messages a second the customer service sends when Kakao takes its time to
// answer. For each number of parallel calls asked for, a platform of its own (temporary
// folders, free ports, scripts/platform) sends to a fake Kakao that answers each message after
// --answer-ms; --orders orders are placed through the gateway at once, and each makes two
// messages in turn (PLACED, then PAID once the payment service has paid it). The figure is the
// messages sent per second from the first order placed until the last message reaches the fake,
// beside the most that many calls could send (calls × 1000 / answer-ms).
//
//   kakao_sender_bench [--orders 40] [--answer-ms 100] [--calls 1,8]
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support/api.hpp"
#include "support/fake_kakao.hpp"
#include "support/platform_fixture.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int orders = 40;
  int answer_ms = 100;
  std::vector<int> calls{1, 8};
  int deadline_s = 120;
};

struct Run {
  std::size_t messages = 0;
  double seconds = 0;
};

Run measure(const Options& options, int calls) {
  fd::test::FakeKakao kakao;
  kakao.answer_after(std::chrono::milliseconds(options.answer_ms));
  fd::test::TestPlatform platform{{"FD_KAKAO_BASE_URL", kakao.base_url()},
                                  {"FD_KAKAO_TOKEN", kakao.token()},
                                  {"FD_KAKAO_PARALLEL_CALLS", std::to_string(calls)}};
  fd::test::Api customer(platform.gateway_port());
  customer.login("customer1");
  const boost::json::object order{{"storeId", 1},
                                  {"items", {{{"menuId", 101}, {"qty", 1}}}},
                                  {"address", "서울 강남구 테헤란로 152"},
                                  {"lat", 37.5006},
                                  {"lon", 127.0364}};
  const auto expected = static_cast<std::size_t>(2 * options.orders);
  const auto start = Clock::now();
  for (int i = 0; i < options.orders; ++i) {
    auto reply = customer.post("/orders", order);
    if (reply.status != 201)
      throw std::runtime_error("POST /orders answered " + std::to_string(reply.status) + ": " +
                               boost::json::serialize(reply.body));
  }
  const auto deadline = start + std::chrono::seconds(options.deadline_s);
  std::size_t reached = 0;
  while ((reached = kakao.messages().size()) < expected) {
    if (Clock::now() > deadline)
      throw std::runtime_error(std::to_string(reached) + " of " + std::to_string(expected) + " messages after " +
                               std::to_string(options.deadline_s) + " s with " + std::to_string(calls) +
                               " parallel calls");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {reached, std::chrono::duration<double>(Clock::now() - start).count()};
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App cli("KakaoTalk messages per second against a fake Kakao that answers slowly, by parallel calls.",
               "kakao_sender_bench");
  cli.add_option("--orders", options.orders, "orders placed at once (two messages each)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cli.add_option("--answer-ms", options.answer_ms, "how long the fake Kakao takes to answer each message")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cli.add_option("--calls", options.calls, "FD_KAKAO_PARALLEL_CALLS to measure, one platform each")
      ->delimiter(',')
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cli.add_option("--deadline", options.deadline_s, "seconds a run may take before it is called failed")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  std::printf("| parallel calls | messages | seconds | messages/s | most possible (calls × 1000 / %d ms) |\n",
              options.answer_ms);
  std::printf("|---|---|---|---|---|\n");
  for (int calls : options.calls) {
    try {
      auto run = measure(options, calls);
      std::printf("| %d | %zu | %.2f | %.1f | %s |\n", calls, run.messages, run.seconds,
                  static_cast<double>(run.messages) / run.seconds,
                  options.answer_ms > 0 ? std::to_string(calls * 1000 / options.answer_ms).c_str() : "-");
      std::fflush(stdout);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "kakao_sender_bench: %s\n", error.what());
      return 1;
    }
  }
  return 0;
}
