#include "report.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <set>

namespace fd::cli::chaos {

int report(const Options& options, const Outcome& outcome) {
  const auto& anomalies = outcome.findings.anomalies;
  std::map<std::string, std::set<std::int64_t>> by_kind;
  for (const auto& a : anomalies) by_kind[a.kind].insert(a.order);
  std::map<std::string, int> kills_by_part, intents;
  for (const auto& k : outcome.kills) ++kills_by_part[k.part];
  for (const auto& p : outcome.placed) ++intents[name_of(p.intent)];
  int acknowledged = static_cast<int>(outcome.placed.size());
  bool complete = acknowledged >= options.orders;
  bool killed_enough = outcome.kills_made >= options.min_kills;
  bool ok = anomalies.empty() && outcome.error.empty() && outcome.drained && complete && killed_enough;
  double drain_s = outcome.drained_s - outcome.placing_s;
  // Availability as a customer sees it: of the orders tried, how many were acknowledged on
  // the first POST, and how many at all once their key was sent again.
  int tried = outcome.first_attempt + outcome.after_retries + outcome.given_up;
  auto percent = [tried](int n) { return tried ? 100.0 * n / tried : 0.0; };
  double first_percent = percent(outcome.first_attempt);
  double acknowledged_percent = percent(outcome.first_attempt + outcome.after_retries);

  auto lost = by_kind["lost"].size(), duplicated = by_kind["duplicated"].size(),
       inconsistent = by_kind["inconsistent"].size();
  if (options.json) {
    boost::json::object out{{"orders", acknowledged},
                            {"ordersRequested", options.orders},
                            {"attempts", outcome.attempts},
                            {"ordersTried", tried},
                            {"acknowledgedFirstAttempt", outcome.first_attempt},
                            {"acknowledgedAfterRetries", outcome.after_retries},
                            {"ordersGivenUp", outcome.given_up},
                            {"firstAttemptPercent", first_percent},
                            {"acknowledgedPercent", acknowledged_percent},
                            {"kills", static_cast<std::int64_t>(outcome.kills.size())},
                            {"killsRequested", options.min_kills},
                            {"killFailures", outcome.kill_failures},
                            {"lost", lost},
                            {"duplicated", duplicated},
                            {"inconsistent", inconsistent},
                            {"unacknowledgedPlaced", outcome.findings.unacknowledged},
                            {"republished", outcome.findings.republished},
                            {"unconfirmedNotifications", outcome.findings.unconfirmed},
                            {"drained", outcome.drained},
                            {"placingSeconds", outcome.placing_s},
                            {"drainSeconds", drain_s},
                            {"totalSeconds", outcome.total_s},
                            {"seed", options.seed},
                            {"verdict", ok ? "ok" : "FAILED"}};
    boost::json::object parts, mix, fails;
    for (const auto& [part, n] : kills_by_part) parts[part] = n;
    for (const auto& [intent, n] : intents) mix[intent] = n;
    for (const auto& [what, n] : outcome.failures) fails[what] = n;
    out["killsByPart"] = std::move(parts);
    out["intents"] = std::move(mix);
    out["clientFailures"] = std::move(fails);
    boost::json::array list;
    for (const auto& a : anomalies) list.push_back({{"orderId", a.order}, {"kind", a.kind}, {"what", a.what}});
    out["anomalies"] = std::move(list);
    boost::json::array text;
    for (const auto& d : outcome.findings.details) text.push_back(boost::json::string(d));
    out["details"] = std::move(text);
    if (!outcome.drained) out["drainError"] = outcome.drain_error;
    if (!outcome.error.empty()) out["error"] = outcome.error;
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return ok ? 0 : 1;
  }

  std::printf("\nNo-loss check: %d orders acknowledged with 201 (%d POST attempts), %zu kills in %.1f s, drained in "
              "%.1f s, verified in %.1f s (seed %llu)\n",
              acknowledged, outcome.attempts, outcome.kills.size(), outcome.placing_s, drain_s,
              outcome.total_s - outcome.drained_s, static_cast<unsigned long long>(options.seed));
  std::printf("  kills:   ");
  for (const auto& [part, n] : kills_by_part) std::printf(" %s=%d", part.c_str(), n);
  if (outcome.kill_failures)
    std::printf("  (%d kill/start commands failed; last: %s)", outcome.kill_failures, outcome.last_kill_error.c_str());
  std::printf("\n  intents: ");
  for (const auto& [intent, n] : intents) std::printf(" %s=%d", intent.c_str(), n);
  std::printf("\n  failed client requests (not counted):");
  if (outcome.failures.empty()) std::printf(" none");
  for (const auto& [what, n] : outcome.failures) std::printf(" [%s]×%d", what.c_str(), n);
  std::printf("\n  orders placed whose 201 never reached the client (lost on the way, and its retries too; not "
              "counted): %d\n",
              outcome.findings.unacknowledged);
  std::printf("  KakaoTalk messages whose sending a kill cut off (UNCONFIRMED: Kakao may have them; never sent "
              "twice): %d\n",
              outcome.findings.unconfirmed);
  if (options.bus.kafka())
    std::printf("  events Kafka stored again under their id (a relay killed between the broker's acknowledgement "
                "and its outbox delete; the inboxes drop them): %d\n",
                outcome.findings.republished);
  for (const auto& d : outcome.findings.details) std::printf("\n%s", d.c_str());
  if (!outcome.drained) std::printf("\nDRAIN FAILED: %s\n", outcome.drain_error.c_str());
  if (!outcome.error.empty()) std::printf("\n%s\n", outcome.error.c_str());
  if (!complete) std::printf("\nonly %d of %d orders were acknowledged\n", acknowledged, options.orders);
  if (!killed_enough)
    std::printf("\nonly %d of the %d kills asked for (--min-kills) were made within %d s (--max-seconds)\n",
                outcome.kills_made, options.min_kills, options.max_seconds);
  std::set<std::int64_t> anomalous;
  for (const auto& a : anomalies) anomalous.insert(a.order);
  std::printf("\navailability: of %d orders tried, %d (%.2f %%) acknowledged on the first attempt, %d (%.2f %%) at "
              "all (%d after retries with the same Idempotency-Key, %d given up)\n",
              tried, outcome.first_attempt, first_percent, outcome.first_attempt + outcome.after_retries,
              acknowledged_percent, outcome.after_retries, outcome.given_up);
  std::printf("orders acknowledged %d, kills %zu, lost %zu, duplicated %zu, inconsistent %zu\n", acknowledged,
              outcome.kills.size(), lost, duplicated, inconsistent);
  if (!anomalous.empty()) std::printf("orders with an anomaly: %zu of %d\n", anomalous.size(), acknowledged);
  std::printf("verdict: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace fd::cli::chaos
