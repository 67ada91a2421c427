#pragma once
// fooddelivery chaos: a no-loss checker in the spirit of Jepsen's queue checker.
//
// Customers place orders through the gateway (some cancelled at once, some rejected or
// accepted by the store's owner, some declined by the card simulator) while a killer picks
// a random part every --kill-every ms, SIGKILLs it through scripts/platform and starts it
// again. Each order has its own Idempotency-Key and is sent again with it while its answer
// is lost (no answer, 502, 503, 504), so a retry never places it twice; the report gives
// the share of orders acknowledged on the first attempt and the share acknowledged at all.
// Only orders acknowledged with 201 count. Placing goes on past --orders until
// --min-kills kills were made, within --max-seconds. Then the killing stops, everything is
// started, and the checker waits until every outbox is empty, every service connected to the
// bus and every durable consumer (Kafka: consumer group) has nothing pending or unacknowledged. Last, every acknowledged order is read back from every
// service's public API and from the stream, and must have reached one consistent state:
//
//   lost          the order, its OrderPlaced, its status view or its payment is missing,
//                 or it is stuck where nothing can move it any more;
//   duplicated    an event type twice for one order in the stream (a second charge or
//                 refund), or two notifications for one status;
//   inconsistent  the services disagree (order PAID but its payment CANCELED, the view's
//                 status not the order's, a notification missing for a status, ...), or the
//                 order did not end as the client's acknowledged action requires.
//
// Exit status: 0 when nothing was found, 1 for any anomaly or when the run itself failed,
// 2 for a usage error.
//
// This header holds what the parts share: command.cpp (the options), platform_script.cpp
// (kills and starts), run.cpp and drain.cpp (the run), verify.cpp (the anomalies) and
// report.cpp.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../client.hpp"
#include "contracts/events.hpp"
#include "platform/messaging.hpp"

namespace fd::cli::chaos {

using Clock = std::chrono::steady_clock;

// What the client does with an order once it is acknowledged.
enum class Intent { Plain, Cancel, Reject, Accept, Decline };
inline constexpr Intent kIntents[] = {Intent::Plain, Intent::Cancel, Intent::Reject, Intent::Accept, Intent::Decline};

constexpr const char* name_of(Intent intent) {
  switch (intent) {
    case Intent::Plain: return "plain";
    case Intent::Cancel: return "cancel";
    case Intent::Reject: return "reject";
    case Intent::Accept: return "accept";
    case Intent::Decline: return "decline";
  }
  return "?";
}

struct Options {
  Origin gateway;
  int orders = 200;
  int concurrency = 4;
  double rate = 10;  // acknowledged orders per second over all workers (0: as fast as they can)
  int kill_every_ms = 1000;
  int down_ms = 300;  // a killed part stays down a random 0..down_ms before the restart
  int min_kills = 0;    // placing and killing go on until this many kills took
  int max_seconds = 0;  // for placing and killing; 0: three times the expected time, plus 120 s
  std::vector<std::string> parts;  // what a kill may pick (by default chosen by the profile)
  std::uint64_t seed = 0;
  std::string script;
  // The bus: Kafka, or JetStream as an identity that may read the stream: viewer (or admin).
  platform::BusEndpoint bus;
  std::string profile = "embedded";  // or "cluster": PostgreSQL and replicas
  int replicas = 1;                  // processes per service
  // Every service process (a service, or its replica "order-2") → its port, for /health.
  std::map<std::string, std::uint16_t> service_ports;
  int drain_timeout_s = 120;
  int cancel_retry_s = 30;  // a customer taps "cancel" again for this long while it fails
  std::map<Intent, int> mix{{Intent::Plain, 45}, {Intent::Cancel, 20}, {Intent::Reject, 15}, {Intent::Accept, 10},
                            {Intent::Decline, 10}};
  bool json = false;
};

inline const std::vector<std::string> kServices(contracts::kServices.begin(), contracts::kServices.end());

// Store n belongs to ownern.
inline std::string owner_of(std::int64_t store) { return "owner" + std::to_string(store); }

using Tokens = std::map<std::string, std::string>;  // user → access token

struct Kill {
  double at_s;  // since the start of the run
  std::string part;
  bool ok;
};

struct Placed {
  std::int64_t id = 0;
  std::string customer;
  std::int64_t store = 0;
  Intent intent = Intent::Plain;
  double at_s = 0;
  // What the client got done: "" (nothing asked), "canceled", "rejected", "accepted", or why not.
  std::string outcome;
  bool done = false;  // the action was acknowledged (cancel 200, owner saw REJECTED/ACCEPTED)
};

struct Anomaly {
  std::int64_t order = 0;
  std::string kind;  // lost | duplicated | inconsistent
  std::string what;
};

// The progress lines on stderr, "[  12.3s] ...", none with --json.
class Log {
 public:
  Log(bool silent, Clock::time_point started) : silent_(silent), started_(started) {}

  void operator()(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  double since_start() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

 private:
  bool silent_;
  Clock::time_point started_;
};

// The whole check; returns the exit status. Throws when the platform cannot be reached.
int run(const Options& options);

}  // namespace fd::cli::chaos
