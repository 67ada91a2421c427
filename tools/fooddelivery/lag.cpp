// fooddelivery lag: how far each service's durable consumer (on Kafka, its consumer group) is
// behind the stream: the events stored and not yet delivered to it, plus those delivered and
// not yet acknowledged, as platform::consumer_state reads them from the broker. Once, every
// --interval with --follow, or until every lag is 0 with --until-zero (how long the services
// take to catch up after a load: bench/run's sustained-load figures).

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "command.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"

namespace fd::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const std::vector<std::string> kConsumers(contracts::kServices.begin(), contracts::kServices.end());

// --until-zero's own pace: its answer is how long the lag took to reach 0, which a sample a
// second would round up by up to a second.
constexpr milliseconds kUntilZeroInterval{100};

struct Args {
  platform::BusEndpoint bus = default_bus();
  std::vector<std::string> consumers;
  bool follow = false;
  int interval_ms = 1000;
  bool interval_given = false;
  int until_zero_s = 0;  // 0: not asked
  bool json = false;
};

// One look at every consumer asked for: its lag, or nothing when it does not exist yet (its
// service never started on this bus), which is not the same as having caught up.
struct Sample {
  std::string at;  // ISO 8601, UTC, milliseconds
  std::map<std::string, std::optional<std::uint64_t>> lag;

  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (const auto& [name, events] : lag) sum += events.value_or(0);
    return sum;
  }
  bool zero() const {
    for (const auto& [name, events] : lag)
      if (events != 0u) return false;
    return true;
  }
};

// Throws std::runtime_error, naming the bus, when the broker cannot be read.
Sample sample(const Args& args) {
  Sample out;
  out.at = platform::iso_time(platform::now_ms());
  for (const auto& name : args.consumers) {
    auto state = platform::consumer_state(args.bus, name);
    out.lag[name] = state.exists ? std::optional(state.pending + state.unacknowledged) : std::nullopt;
  }
  return out;
}

// {"at":..,"lag":{..},"total":N}: the consumers in the order asked for, a missing one null.
boost::json::object json_sample(const Args& args, const Sample& s) {
  boost::json::object lag;
  for (const auto& name : args.consumers) {
    const auto& events = s.lag.at(name);
    if (events) lag[name] = *events;
    else lag[name] = nullptr;
  }
  return {{"at", s.at}, {"lag", std::move(lag)}, {"total", s.total()}};
}

// "order 0, customer 12, rider: no consumer yet"; only those still behind when `behind`.
std::string words(const Args& args, const Sample& s, bool behind = false) {
  std::string out;
  for (const auto& name : args.consumers) {
    const auto& events = s.lag.at(name);
    if (behind && events == 0u) continue;
    out += (out.empty() ? "" : ", ") + name + (events ? " " + std::to_string(*events) : ": no consumer yet");
  }
  return out;
}

bool print_line(const std::string& line) {
  return std::fputs((line + "\n").c_str(), stdout) != EOF && std::fflush(stdout) == 0;
}

bool print_sample(const Args& args, const Sample& s) {
  if (args.json) return print_line(boost::json::serialize(json_sample(args, s)));
  return print_line(s.at + " lag " + std::to_string(s.total()) + ": " + words(args, s));
}

// Sleeps until `until`, waking early for SIGINT/SIGTERM; false when interrupted.
bool wait_until(Clock::time_point until) {
  while (!interrupted()) {
    auto now = Clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(until - now, milliseconds(50)));
  }
  return false;
}

int follow(const Args& args) {
  auto next = Clock::now();
  while (!interrupted()) {
    if (!print_sample(args, sample(args))) return 0;  // reader went away, e.g. piped into head
    next += milliseconds(args.interval_ms);
    if (!wait_until(next)) break;
  }
  return 0;
}

// Samples until every lag is 0 (exit 0) or the deadline passes (exit 1); says which it was.
int until_zero(const Args& args) {
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(args.until_zero_s);
  const auto interval = args.interval_given ? milliseconds(args.interval_ms) : kUntilZeroInterval;
  for (;;) {
    auto s = sample(args);
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    bool zero = s.zero();
    if (zero || Clock::now() >= deadline || interrupted()) {
      char took[32];
      std::snprintf(took, sizeof took, "%.2f", seconds);
      if (args.json) {
        auto out = json_sample(args, s);
        out["zero"] = zero;
        out["seconds"] = std::round(seconds * 100) / 100;
        print_line(boost::json::serialize(out));
      }
      else if (zero)
        print_line("every consumer's lag is 0 after " + std::string(took) + " s");
      else
        print_line("still lagging after " + std::string(took) + " s (--until-zero " +
                   std::to_string(args.until_zero_s) + "): " + words(args, s, true));
      return zero ? 0 : 1;
    }
    if (!wait_until(std::min(Clock::now() + interval, deadline))) continue;  // one last sample, then say so
  }
}

}  // namespace

Command lag_command(CLI::App& cli) {
  auto args = std::make_shared<Args>();
  auto* app = cli.add_subcommand("lag", "how far each service's consumer is behind the bus (JetStream or Kafka)");
  app->footer(
      "A consumer's lag is the events the stream holds that it has not yet acknowledged: stored and not\n"
      "yet delivered to it, plus delivered and not yet acknowledged (Kafka: after its group's committed\n"
      "offsets). A consumer that does not exist yet (its service never ran on this bus) is said so, in\n"
      "JSON as null, never as 0. Exit status: 0; with --until-zero, 1 when a lag was still above 0 at the\n"
      "deadline; 1 when the bus cannot be read; 2 for a usage error.");
  app->add_option("--consumer", args->consumers, "a service's consumer, repeatable (default: every service's)")
      ->type_name("NAME")
      ->check(CLI::IsMember(kConsumers));
  auto* follow_flag = app->add_flag("-f,--follow", args->follow, "a sample every --interval until Ctrl-C");
  auto* interval = app->add_option("--interval", args->interval_ms,
                                   "between samples, ms [1000; --until-zero: 100]")
                       ->type_name("MS")
                       ->check(at_least(1));
  app->add_flag("--json", args->json,
                "one JSON object per sample: {\"at\":\"<ISO time>\",\"lag\":{\"order\":0,...},\"total\":N}; "
                "--until-zero's adds \"zero\" and \"seconds\"");
  app->add_option("--until-zero", args->until_zero_s,
                  "sample until every lag is 0, at most SECONDS: say how long it took (exit 0), or which "
                  "consumers still lag and by how much (exit 1)")
      ->type_name("SECONDS")
      ->check(at_least(1))
      ->excludes(follow_flag);
  add_bus_options(*app, args->bus);
  app->add_option("--stream", args->bus.stream, "stream (Kafka: topic) the consumers read")
      ->type_name("NAME")
      ->capture_default_str();
  return {app, [args, interval] {
            if (args->consumers.empty()) args->consumers = kConsumers;
            // Each once, in the order first asked for.
            std::vector<std::string> once;
            for (const auto& name : args->consumers)
              if (std::find(once.begin(), once.end(), name) == once.end()) once.push_back(name);
            args->consumers = std::move(once);
            args->interval_given = interval->count() > 0;
            stop_on_signals();
            try {
              if (args->until_zero_s > 0) return until_zero(*args);
              if (args->follow) return follow(*args);
              print_sample(*args, sample(*args));
              return 0;
            } catch (const std::invalid_argument& error) {  // a malformed bus URL, an identity naming no inbox
              std::fprintf(stderr, "fooddelivery lag: %s\n", error.what());
              return 2;
            } catch (const std::runtime_error& error) {  // a broker that does not answer or refuses
              std::fflush(stdout);
              std::fprintf(stderr, "fooddelivery lag: %s\n", error.what());
              return 1;
            }
          }};
}

}  // namespace fd::cli
