#include "consumer.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <utility>

#include "contracts/codec.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"
#include "platform/event.hpp"
#include "platform/json_text.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/trace.hpp"

namespace platform {

namespace {

constexpr std::int64_t kNakDelayMs = 500;  // first redelivery delay after a failed reaction
constexpr std::int64_t kNakDelayMaxMs = 30'000;
// An event that came before the one it follows (replicas apply events side by side) is
// usually ready a moment later: asked again soon, and never left waiting long.
constexpr std::int64_t kTooEarlyDelayMs = 100;
constexpr std::int64_t kTooEarlyDelayMaxMs = 2'000;

// Who may publish on the subject of an event of this type: its contract's producer.
std::string producer_of(const std::string& type) {
  for (const auto& contract : contracts::kCatalogue)
    if (contract.type == type) return std::string(contract.producer);
  return "no service";
}

// Defence in depth behind the bus permissions: a service may publish only on the subjects of
// the events it produces, so an event that says it is of another type than its subject's
// (a forged PaymentApproved on order's subject OrderPlaced) is never applied.
bool forged(const Delivery& delivery, const boost::json::object& body) {
  const auto* claimed = body.if_contains("eventType");
  std::string body_type = claimed && claimed->is_string() ? std::string(claimed->get_string()) : "";
  if (!delivery.type.empty() && delivery.header_type == delivery.type && body_type == delivery.type) return false;
  log::error("event refused: its type header or eventType is not the type of the subject it came on, "
             "which only that type's producer may publish on",
             {{"eventId", delivery.id},
              {"subjectType", delivery.type.empty() ? "(outside the stream's subjects)" : delivery.type},
              {"subjectProducer", producer_of(delivery.type)},
              {"typeHeader", delivery.header_type},
              {"bodyEventType", body_type}});
  return true;
}


// The trace the event was written in, continued by the reaction: its log lines and the events
// it writes carry the same trace id. An event without one (written outside any request or
// reaction) starts a trace of its own.
trace::TraceContext trace_of(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers)
    if (name == "traceparent") return trace::continue_from(value);
  return trace::start();
}

// What applying a delivery came to.
struct Applied {
  enum class Outcome { Applied, Ignored, Refused, TooEarly, Failed };
  Outcome outcome = Outcome::Applied;
  std::string error;
  std::string order_id;
};

// A delivery read and checked, its reaction found: ready to run in a transaction.
struct Ready {
  const Delivery* delivery;
  const Reaction* reaction;
  ReceivedEvent event;
  trace::TraceContext trace;  // the one the event was written in (trace_of)
};

// Reads and checks a delivery outside any transaction. Returns what it came to when it is not
// to be applied (malformed, forged, not reacted to here); otherwise fills `ready`.
std::optional<Applied> prepare(const std::map<std::string, Reaction>& reactions, const Delivery& delivery,
                               const trace::TraceContext& trace, std::optional<Ready>& ready) {
  const std::string& type = delivery.type;
  boost::json::error_code ec;
  auto value = boost::json::parse(delivery.body, ec);
  if (ec || !value.is_object()) {
    std::string error = "malformed event (not a JSON object): " + (ec ? ec.message() : std::string("not an object"));
    log::error("malformed event refused", {{"eventType", type}, {"eventId", delivery.id}, {"error", error}});
    return Applied{Applied::Outcome::Refused, error, {}};
  }
  if (forged(delivery, value.as_object()))
    return Applied{Applied::Outcome::Refused,
                   "its type header or eventType is not the type of the subject it came on (" +
                       (type.empty() ? std::string("outside the stream's subjects") : type) + ")",
                   {}};
  auto reaction = reactions.find(type);
  if (reaction == reactions.end()) return Applied{Applied::Outcome::Ignored, {}, {}};
  ready.emplace(Ready{&delivery, &reaction->second, ReceivedEvent{delivery.id, type, std::move(value.as_object())}, trace});
  return std::nullopt;
}

// Within tx: records the event in the inbox and runs its reaction, unless the inbox has it.
// Returns whether it was a duplicate.
bool apply_in(Db& tx, const Ready& ready) {
  if (tx.exec("INSERT INTO fd_inbox(id, type, processed_at) VALUES(?, ?, ?) ON CONFLICT(id) DO NOTHING",
              {ready.event.id, ready.event.type, now_ms()}) == 0)
    return true;
  (*ready.reaction)(tx, ready.event);
  return false;
}

// A line per reaction: with its trace id, it shows which services an order's request reached.
void log_applied(const Ready& ready, bool duplicate) {
  log::info(duplicate ? "duplicate event ignored" : "event applied",
            {{"orderId", ready.event.order_id()}, {"eventType", ready.event.type}, {"eventId", ready.event.id}});
}

// Applies one event in a transaction of its own; `also` runs in the same transaction when the
// event is applied now or was before (a replay removes its dead letter there).
Applied apply_alone(Db& db, const Ready& ready, const std::function<void(Db&)>& also = {}) {
  Applied result{Applied::Outcome::Applied, {}, ready.event.order_id()};
  try {
    bool duplicate = false;
    db.transaction([&](Db& tx) {
      duplicate = apply_in(tx, ready);  // the work may run again (a replica's concurrent transaction won)
      if (also) also(tx);
    });
    log_applied(ready, duplicate);
    return result;
  } catch (const contracts::UnreadableEvent& e) {
    // Delivering the same body again cannot make it match its contract.
    log::error("unreadable event refused (does not match its contract)",
               {{"orderId", result.order_id}, {"eventType", ready.event.type}, {"eventId", ready.event.id}, {"error", e.what()}});
    result = {Applied::Outcome::Refused, std::string("does not match its contract: ") + e.what(), result.order_id};
  } catch (const TooEarly& e) {
    result = {Applied::Outcome::TooEarly, e.what(), result.order_id};
  } catch (const std::exception& e) {
    result = {Applied::Outcome::Failed, e.what(), result.order_id};
  } catch (...) {
    result = {Applied::Outcome::Failed, "unknown exception", result.order_id};
  }
  return result;
}

// Applies the events in one transaction, each under its own trace, in the order given: one
// commit (its WAL frames, its wake-ups of the relay and the live streams) for the batch
// instead of one per event. Returns false, with nothing changed, when any reaction threw: the
// caller then applies them one by one, so that each gets the outcome of its own.
bool apply_together(Db& db, const std::vector<Ready>& batch, std::vector<bool>& duplicates) {
  try {
    db.transaction([&](Db& tx) {
      duplicates.assign(batch.size(), false);  // the work may run again
      for (std::size_t i = 0; i < batch.size(); ++i) {
        trace::Scope scope(batch[i].trace);
        duplicates[i] = apply_in(tx, batch[i]);
      }
    });
    return true;
  } catch (...) {
    return false;
  }
}

// Kept until replayed: written, or on a second failure updated, before the delivery is
// acknowledged, so that an event is never dropped without a trace.
bool keep_dead_letter(Db& db, const Delivery& delivery, const Applied& applied) {
  boost::json::object headers;
  for (const auto& [name, value] : delivery.headers) headers[name] = value;
  try {
    db.exec("INSERT INTO fd_dead_letters(id, type, body, headers, error, attempts, failed_at) "
            "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET error = excluded.error, "
            "attempts = excluded.attempts, failed_at = excluded.failed_at",
            {delivery.id, delivery.type, std::string(delivery.body), to_json(headers), applied.error,
             static_cast<std::int64_t>(delivery.attempt), now_ms()});
  } catch (const std::exception& e) {
    log::error("event could not be moved to the dead letters; it will be redelivered",
               {{"eventType", delivery.type}, {"eventId", delivery.id}, {"error", e.what()}});
    return false;
  }
  log::error("event moved to the dead letters (fooddelivery dead-letters list|replay)",
             {{"orderId", applied.order_id},
              {"eventType", delivery.type},
              {"eventId", delivery.id},
              {"attempts", std::to_string(delivery.attempt)},
              {"error", applied.error}});
  return true;
}

// What each delivery came to, by event type: applied, ignored (not this service's), refused
// (never applicable), too_early (asked again soon), failed (asked again later) or
// dead_lettered; and how many were deliveries again.
prometheus::Family<prometheus::Counter>& deliveries() {
  static auto& family = prometheus::BuildCounter()
                            .Name("fd_events_consumed_total")
                            .Help("Deliveries of events to this service's consumer, by type and by what each came to: "
                                  "applied, ignored, too_early, failed, dead_lettered.")
                            .Register(metrics::registry());
  return family;
}

prometheus::Family<prometheus::Counter>& redeliveries() {
  static auto& family = prometheus::BuildCounter()
                            .Name("fd_events_redelivered_total")
                            .Help("Deliveries of an event this consumer had been given before, by type.")
                            .Register(metrics::registry());
  return family;
}

void count(const Delivery& delivery, const char* outcome) {
  deliveries().Add({{"type", delivery.type}, {"outcome", outcome}}).Increment();
  if (delivery.attempt > 1) redeliveries().Add({{"type", delivery.type}}).Increment();
}

// Redeliver later, backing off: 0.5 s, 1 s, 2 s, ... up to 30 s (too early: 0.1 s ... 2 s).
std::chrono::milliseconds backoff(std::uint64_t attempt, bool too_early) {
  const std::int64_t first = too_early ? kTooEarlyDelayMs : kNakDelayMs;
  const std::int64_t most = too_early ? kTooEarlyDelayMaxMs : kNakDelayMaxMs;
  std::int64_t delay = first;
  for (std::uint64_t i = 1; i < attempt && delay < most; ++i) delay *= 2;
  return std::chrono::milliseconds(std::min(delay, most));
}

}  // namespace

void note_consumer_lag(int partition, std::uint64_t pending) {
  static auto& family = prometheus::BuildGauge()
                            .Name("fd_consumer_lag")
                            .Help("Events of the stream (Kafka: of the partition) behind the last one delivered to this "
                                  "service's consumer.")
                            .Register(metrics::registry());
  family.Add({{"partition", std::to_string(partition)}}).Set(static_cast<double>(pending));
}

std::chrono::seconds MessagingOptions::min_stream_max_age() const {
  constexpr std::int64_t kRedeliveryS = kNakDelayMaxMs / 1000 + 5;  // the longest backoff, then the ack wait
  const auto window = std::chrono::ceil<std::chrono::seconds>(stream_duplicate_window);
  return std::chrono::seconds(
      std::max<std::int64_t>(window.count(), static_cast<std::int64_t>(max_deliver) * kRedeliveryS));
}

namespace {

// The verdict on a delivery that came to `applied`, with its dead letter kept when it is given up on.
Verdict settle(Db& db, const Delivery& delivery, const Applied& applied, std::uint64_t max_deliver) {
  using Outcome = Applied::Outcome;
  if (applied.outcome == Outcome::Applied || applied.outcome == Outcome::Ignored) {
    count(delivery, applied.outcome == Outcome::Applied ? "applied" : "ignored");
    return Verdict::ack();
  }
  const bool too_early = applied.outcome == Outcome::TooEarly;
  if (applied.outcome == Outcome::Refused || delivery.attempt >= max_deliver) {
    if (keep_dead_letter(db, delivery, applied)) {
      count(delivery, "dead_lettered");
      return Verdict::ack();
    }
    count(delivery, "failed");
    return Verdict::nak(backoff(delivery.attempt, false));
  }
  count(delivery, too_early ? "too_early" : "failed");
  const auto delay = backoff(delivery.attempt, too_early);
  // Too early is the written policy's ordinary case (unit_of_work.hpp), not a failure: said quietly.
  (too_early ? log::info : log::error)(too_early ? "event came too early; it will be redelivered"
                                                 : "reaction failed; event will be redelivered",
                                       {{"orderId", applied.order_id},
                                        {"eventType", delivery.type},
                                        {"eventId", delivery.id},
                                        {"attempt", std::to_string(delivery.attempt)},
                                        {"maxDeliver", std::to_string(max_deliver)},
                                        {"retryInMs", std::to_string(delay.count())},
                                        {"error", applied.error}});
  return Verdict::nak(delay);
}

prometheus::Histogram& batch_sizes() {
  static auto& family = prometheus::BuildHistogram()
                            .Name("fd_consumer_batch_size")
                            .Help("Events applied together in one transaction by this service's consumer.")
                            .Register(metrics::registry());
  static auto& histogram = family.Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64});
  return histogram;
}

}  // namespace

std::vector<Verdict> consume(Db& db, const std::map<std::string, Reaction>& reactions,
                             std::span<const Delivery> batch, std::uint64_t max_deliver) {
  std::vector<Verdict> verdicts(batch.size());
  // Each partition's first nak'ed delivery: the later ones of its partition wait for it (bus.hpp).
  std::map<std::int32_t, std::size_t> sent_back;
  const auto waits = [&](std::size_t i) {
    if (!batch[i].partition) return false;
    auto first = sent_back.find(*batch[i].partition);
    return first != sent_back.end() && first->second < i;
  };
  const auto decide = [&](std::size_t i, Verdict verdict) {
    if (verdict.kind == Verdict::Kind::Nak && batch[i].partition) {
      auto [first, added] = sent_back.try_emplace(*batch[i].partition, i);
      first->second = std::min(first->second, i);  // applied alone, an earlier one may fail after a later one was refused
    }
    verdicts[i] = verdict;
  };
  std::vector<Ready> ready;
  std::vector<std::size_t> ready_at;  // each ready one's place in the batch
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (waits(i)) {
      verdicts[i] = Verdict::nak({});
      continue;
    }
    const auto trace = trace_of(batch[i].headers);
    trace::Scope scope(trace);
    std::optional<Ready> one;
    if (auto settled = prepare(reactions, batch[i], trace, one)) {
      decide(i, settle(db, batch[i], *settled, max_deliver));
    } else {
      ready.push_back(std::move(*one));
      ready_at.push_back(i);
    }
  }
  if (ready.empty()) return verdicts;
  std::vector<bool> duplicates;
  if (ready.size() > 1 && apply_together(db, ready, duplicates)) {
    batch_sizes().Observe(static_cast<double>(ready.size()));
    for (std::size_t j = 0; j < ready.size(); ++j) {
      trace::Scope scope(ready[j].trace);
      log_applied(ready[j], duplicates[j]);
      verdicts[ready_at[j]] = settle(db, *ready[j].delivery, {Applied::Outcome::Applied, {}, {}}, max_deliver);
    }
    return verdicts;
  }
  for (std::size_t j = 0; j < ready.size(); ++j) {
    if (waits(ready_at[j])) {
      verdicts[ready_at[j]] = Verdict::nak({});
      continue;
    }
    trace::Scope scope(ready[j].trace);
    batch_sizes().Observe(1);
    decide(ready_at[j], settle(db, *ready[j].delivery, apply_alone(db, ready[j]), max_deliver));
  }
  return verdicts;
}

namespace {

DeadLetter dead_letter_of(const Row& row) {
  boost::json::error_code ec;
  auto headers = boost::json::parse(row.text("headers"), ec);
  return {row.text("id"),
          row.text("type"),
          row.text("body"),
          !ec && headers.is_object() ? std::move(headers.as_object()) : boost::json::object{},
          row.text("error"),
          row.integer("attempts"),
          row.integer("failed_at")};
}

// The dead letters' columns, then `rest` (appended piece by piece: GCC 12 takes a string + a
// literal for an overflowing copy, -Warray-bounds).
std::string dead_letter_query(std::string_view rest) {
  std::string sql = "SELECT id, type, body, headers, error, attempts, failed_at FROM fd_dead_letters ";
  sql += rest;
  return sql;
}

}  // namespace

std::vector<DeadLetter> dead_letters(Db& db) {
  std::vector<DeadLetter> all;
  for (const auto& row : db.query(dead_letter_query("ORDER BY failed_at, id")))
    all.push_back(dead_letter_of(row));
  return all;
}

std::vector<Replay> replay_dead_letters(Db& db, const std::map<std::string, Reaction>& reactions,
                                        const std::string& id) {
  auto rows = id.empty() ? db.query(dead_letter_query("ORDER BY failed_at, id"))
                         : db.query(dead_letter_query("WHERE id = ?"), {id});
  std::vector<Replay> replays;
  for (const auto& row : rows) {
    DeadLetter letter = dead_letter_of(row);
    Delivery delivery;
    delivery.id = letter.id;
    delivery.type = letter.type;
    for (const auto& [name, value] : letter.headers)
      if (value.is_string()) delivery.headers.emplace_back(name, value.get_string());
    if (auto* type = letter.headers.if_contains("type"); type && type->is_string())
      delivery.header_type = std::string(type->get_string());
    const auto trace = trace_of(delivery.headers);
    trace::Scope scope(trace);
    delivery.body = letter.body;
    auto forget = [&](Db& tx) { tx.exec("DELETE FROM fd_dead_letters WHERE id = ?", {letter.id}); };
    std::optional<Ready> ready;
    Applied applied;
    if (auto settled = prepare(reactions, delivery, trace, ready))
      applied = std::move(*settled);
    else
      applied = apply_alone(db, *ready, forget);
    if (applied.outcome == Applied::Outcome::Ignored)
      applied.error = reactions.empty() ? "this process consumes no events yet"
                                        : "the service does not react to " + letter.type;
    Replay replay{letter.id, applied.outcome == Applied::Outcome::Applied, applied.error};
    if (replay.applied) {
      log::info("dead letter replayed", {{"orderId", applied.order_id}, {"eventType", letter.type}, {"eventId", letter.id}});
    } else {
      db.exec("UPDATE fd_dead_letters SET error = ?, attempts = attempts + 1, failed_at = ? WHERE id = ?",
              {applied.error, now_ms(), letter.id});
      log::warn("dead letter replayed and refused again; kept",
                {{"orderId", applied.order_id}, {"eventType", letter.type}, {"eventId", letter.id}, {"error", applied.error}});
    }
    replays.push_back(std::move(replay));
  }
  return replays;
}

}  // namespace platform
