#include "relay.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <vector>

#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/thread_name.hpp"

namespace platform {

namespace {

constexpr std::size_t kRelayBatch = 256;
// Published rows are deleted this long after the first of them, or once a batch is due:
// one delete transaction for many events, and none between a command's commit and the
// next command, which would wait for it on the service's database. Only on a bus that drops
// what a process killed meanwhile publishes again at its restart: over Kafka each copy
// would be stored (and dropped by the consumers' inbox), so there they go at once.
constexpr auto kDeleteDelay = std::chrono::milliseconds(100);
constexpr auto kBackoffMin = std::chrono::milliseconds(250);
constexpr auto kBackoffMax = std::chrono::milliseconds(5000);

// The business's own counts come from here: orders placed are the order service's OrderPlaced
// published, payments approved the payment service's PaymentApproved, and so on.
prometheus::Family<prometheus::Counter>& events_published() {
  static auto& family = prometheus::BuildCounter()
                            .Name("fd_events_published_total")
                            .Help("Events this process published from its outbox and the broker acknowledged, by type.")
                            .Register(metrics::registry());
  return family;
}

}  // namespace

// Shared with the Db's commit listener, which may outlive the relay.
struct Relay::Wake {
  std::mutex mutex;
  std::condition_variable cv;
  bool pending = false;
  bool stopping = false;

  void notify() {
    {
      std::lock_guard lock(mutex);
      pending = true;
    }
    cv.notify_one();
  }
};

Relay::Relay(Db& db, Bus& bus, const MessagingOptions& options)
    : db_(db),
      bus_(bus),
      poll_(options.relay_poll),
      stream_(options.stream),
      wake_(std::make_shared<Wake>()),
      leadership_(db, "events", std::max(options.relay_poll, std::chrono::milliseconds(100))) {}

Relay::~Relay() { stop(); }

std::function<void()> Relay::waker() const {
  return [wake = wake_] { wake->notify(); };
}

void Relay::start() {
  db_.on_commit([wake = wake_] {
    if (OutboxAppended::take()) wake->notify();
  });
  thread_ = std::thread([this] { run(); });
}

void Relay::stop() {
  {
    std::lock_guard lock(wake_->mutex);
    wake_->stopping = true;
  }
  wake_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Relay::run() {
  name_this_thread("relay");
  auto next_attempt = Clock::now();  // not before (backoff)
  auto deadline = Clock::now();      // wake up by then anyway
  auto backoff = kBackoffMin;
  for (;;) {
    {
      std::unique_lock lock(wake_->mutex);
      wake_->cv.wait_until(lock, published_.empty() ? deadline : std::min(deadline, delete_due_),
                           [&] { return wake_->stopping || wake_->pending; });
      if (wake_->stopping) break;
      wake_->pending = false;
    }
    if (!published_.empty() && Clock::now() >= delete_due_) {
      try {
        delete_published();
      } catch (const std::exception& e) {
        // They stay, and are published again: the stream and the inboxes drop the copies.
        log::warn("deleting published events from the outbox failed; retrying", {{"error", e.what()}});
        delete_due_ = Clock::now() + kBackoffMin;
      }
    }
    auto now = Clock::now();
    if (now < next_attempt) {
      deadline = next_attempt;
      continue;
    }
    Result result;
    try {
      result = relay_once();
    } catch (const std::exception& e) {
      // Database trouble: keep the thread alive and try again.
      if (!outage_logged_) log::error("outbox relay failed", {{"error", e.what()}});
      outage_logged_ = true;
      result = Result::Failed;
    }
    now = Clock::now();
    if (result == Result::Failed) {
      next_attempt = now + backoff;
      deadline = next_attempt;
      backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kBackoffMax));
    } else {
      backoff = kBackoffMin;
      next_attempt = now;
      deadline = now + poll_;
    }
  }
  try {
    delete_published();  // a clean stop leaves no published event to publish again
  } catch (const std::exception& e) {
    log::warn("deleting published events from the outbox failed; they are published again at the next start",
              {{"error", e.what()}});
  }
}

void Relay::delete_published() {
  if (published_.empty()) return;
  db_.transaction([&](Db& tx) {
    for (auto seq : published_) tx.exec("DELETE FROM fd_outbox WHERE seq = ?", {seq});
  });
  published_.clear();
  undeleted_ = 0;
}

Relay::Result Relay::relay_once() {
  if (!bus_.connected()) return Result::NotConnected;
  // One of the service's replicas publishes its outbox, in the outbox's order (the others'
  // rows are the leader's to relay on its next poll), and takes its events, in the stream's
  // order. Should a leader die between publishing and deleting, its successor publishes the
  // same ids again, and the stream's de-duplication by Nats-Msg-Id keeps one message of
  // each; what it had taken and not acknowledged comes to the successor after AckWait.
  const bool leads = leadership_.leads();
  bus_.consume(leads);
  // Without a consumer the relay still publishes; the poll brings it back to retry the setup.
  if (!bus_.ensure_ready()) return Result::Failed;
  if (!leads) {
    // The leader publishes what this one did not delete again; the copies are dropped.
    published_.clear();
    last_published_ = 0;
    undeleted_ = 0;
    return Result::Idle;
  }

  for (;;) {
    {
      std::lock_guard lock(wake_->mutex);
      if (wake_->stopping) return Result::Idle;
    }
    // Every row not yet published, in seq order. Where commits come in seq order (SQLite) those
    // are the rows after the last one published; the published ones before them, kept until
    // their delete, are not read again at each commit (a commit one at a time read up to 256).
    // On PostgreSQL a transaction may commit a lower seq after a higher one was published:
    // every row is read, the published ones left out here.
    auto found = db_.commits_in_key_order()
                     ? db_.query("SELECT seq, id, type, body, order_id, traceparent FROM fd_outbox WHERE seq > ? "
                                 "ORDER BY seq LIMIT ?",
                                 {last_published_, static_cast<std::int64_t>(kRelayBatch)})
                     : db_.query("SELECT seq, id, type, body, order_id, traceparent FROM fd_outbox ORDER BY seq LIMIT ?",
                                 {static_cast<std::int64_t>(kRelayBatch + published_.size())});
    std::vector<Row> rows;
    for (auto& row : found)
      if (!published_.contains(row.integer(0)) && rows.size() < kRelayBatch) rows.push_back(std::move(row));
    if (rows.empty()) return Result::Idle;
    std::vector<OutgoingMessage> batch;
    batch.reserve(rows.size());
    for (const auto& row : rows) batch.push_back({row.text(1), row.text(2), row.text(3), row.text(4), row.text(5)});
    auto published = bus_.publish(batch);
    if (published.acknowledged > 0 && published_.empty()) delete_due_ = Clock::now() + kDeleteDelay;
    for (std::size_t i = 0; i < published.acknowledged; ++i) {
      published_.insert(rows[i].integer(0));
      last_published_ = std::max(last_published_, rows[i].integer(0));
      events_published().Add({{"type", rows[i].text(2)}}).Increment();
    }
    undeleted_ = published_.size();
    if (published_.size() >= kRelayBatch || !bus_.drops_republished()) delete_published();
    if (published.acknowledged < rows.size()) {
      if (!outage_logged_) {
        const auto& failed = rows[published.acknowledged];
        log::warn("publishing events failed; they stay in the outbox and are retried",
                  {{"error", published.error},
                   {"eventType", failed.text(2)},
                   {"orderId", failed.text(4)},
                   {"pending", std::to_string(rows.size() - published.acknowledged)}});
      }
      outage_logged_ = true;
      return Result::Failed;
    }
    if (outage_logged_) log::info("publishing events resumed", {{"stream", stream_}});
    outage_logged_ = false;
    if (rows.size() < kRelayBatch) return Result::Idle;
  }
}

}  // namespace platform
