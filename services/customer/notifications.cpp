#include "notifications.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"
#include "platform/thread_name.hpp"

namespace customer {

namespace {

using platform::Db;

constexpr std::int64_t kBatch = 32;

// The first waiting message of each order, the only one that may go next; its two
// parameters are delivery_state::Pending.
constexpr const char* kHeadOfItsOrder =
    "state = ? AND NOT EXISTS (SELECT 1 FROM notifications e "
    "WHERE e.order_id = notifications.order_id AND e.state = ? AND e.id < notifications.id)";

// What each attempt came to: sent, recorded, failed (retried), or cut off (unconfirmed).
prometheus::Counter& attempts_ending(std::string_view how) {
  static auto& family = prometheus::BuildCounter()
                            .Name("fd_kakao_attempts_total")
                            .Help("KakaoTalk delivery attempts, by how they ended: sent, recorded (no token), "
                                  "failed (retried later) or unconfirmed (cut off by a stop).")
                            .Register(platform::metrics::registry());
  return family.Add({{"result", std::string(how)}});
}

}  // namespace

std::vector<prometheus::MetricFamily> notification_families(Db& db) {
  auto family = platform::metrics::family("fd_kakao_messages",
                                          "KakaoTalk messages by delivery state; PENDING is the queue waiting to go.",
                                          prometheus::MetricType::Gauge);
  std::map<std::string, double> by_state{{delivery_state::Pending, 0}, {delivery_state::Sending, 0}};
  for (const auto& row : db.query("SELECT state, COUNT(*) FROM notifications GROUP BY state"))
    by_state[row.text(0)] = static_cast<double>(row.integer(1));
  for (const auto& [state, n] : by_state) platform::metrics::add(family, n, {{"state", state}});
  return {std::move(family)};
}

// Shared with the Db's commit listener, which outlives the sender.
struct NotificationSender::Wake {
  std::mutex mutex;
  std::condition_variable cv;
  bool pending = false;
  bool stopping = false;
  std::atomic<std::thread::id> sender{};

  void notify() {
    {
      std::lock_guard lock(mutex);
      pending = true;
    }
    cv.notify_one();
  }
};

NotificationSender::NotificationSender(Db& db, std::unique_ptr<Messenger> messenger, std::chrono::milliseconds poll)
    : db_(db),
      messenger_(std::move(messenger)),
      poll_(poll),
      wake_(std::make_shared<Wake>()),
      leadership_(db, "KakaoTalk sender", poll) {
  db_.on_commit([wake = wake_] {
    // The sender's own updates are commits too; they bring nothing new to send.
    if (std::this_thread::get_id() != wake->sender.load()) wake->notify();
  });
  thread_ = std::thread([this] { run(); });
}

NotificationSender::~NotificationSender() {
  {
    std::lock_guard lock(wake_->mutex);
    wake_->stopping = true;
  }
  wake_->cv.notify_all();
  thread_.join();
}

bool NotificationSender::stopping() const {
  std::lock_guard lock(wake_->mutex);
  return wake_->stopping;
}

void NotificationSender::run() {
  platform::name_this_thread("kakao-sender");
  wake_->sender.store(std::this_thread::get_id());
  for (;;) {
    auto deadline = std::chrono::steady_clock::now() + poll_;
    try {
      // Of the service's replicas, the one leading sends: no message goes out twice because
      // two replicas saw it waiting.
      const bool leads = leadership_.leads();
      if (leads && !led_) settle_cut_off_attempts();
      led_ = leads;
      auto due = leads ? deliver_due() : std::nullopt;
      if (due) {
        auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, *due - platform::now_ms()));
        deadline = std::min(deadline, std::chrono::steady_clock::now() + wait);
      }
    } catch (const std::exception& error) {
      platform::log::error("reading the notifications failed; retrying", {{"error", error.what()}});
    }
    std::unique_lock lock(wake_->mutex);
    wake_->cv.wait_until(lock, deadline, [&] { return wake_->stopping || wake_->pending; });
    if (wake_->stopping) return;
    wake_->pending = false;
  }
}

std::optional<std::int64_t> NotificationSender::deliver_due() {
  for (;;) {
    auto due = notifications().select(
        db_, std::string("WHERE ") + kHeadOfItsOrder + " AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        {delivery_state::Pending, delivery_state::Pending, platform::now_ms(), kBatch});
    for (auto& notification : due) {
      if (stopping()) return std::nullopt;
      deliver(std::move(notification));
    }
    if (static_cast<std::int64_t>(due.size()) < kBatch) break;
  }
  auto next = db_.query_one(std::string("SELECT MIN(next_attempt_at) AS due FROM notifications WHERE ") +
                                kHeadOfItsOrder,
                            {delivery_state::Pending, delivery_state::Pending});
  if (!next || next->is_null("due")) return std::nullopt;
  return next->integer("due");
}

void NotificationSender::settle_cut_off_attempts() {
  // Only the leader sends, and it has just become the leader: an attempt still SENDING was cut
  // off by its sender's stop (or the sender lost the lead mid-call, and records the answer it
  // gets over this).
  // Changed only while still SENDING: a sender that lost the lead mid-call may record its
  // answer between the select and here, and that answer must stand.
  auto cut_off = notifications().select(db_, "WHERE state = ?", {delivery_state::Sending});
  for (auto& notification : cut_off) {
    if (db_.exec("UPDATE notifications SET state = ? WHERE id = ? AND state = ?",
                 {delivery_state::Unconfirmed, notification.id, delivery_state::Sending}) == 0)
      continue;
    attempts_ending("unconfirmed").Increment();
    platform::log::warn("KakaoTalk message in doubt: its sending was cut off by a stop; it is not sent again",
                        {{"orderId", std::to_string(notification.order_id)}, {"status", notification.status}});
  }
}

void NotificationSender::record_outcome(const Notification& notification) {
  // Kakao has answered: its answer is recorded however long the database is away, since a
  // message left SENDING is one nobody may send again.
  for (auto wait = std::chrono::milliseconds(100);; wait = std::min(wait * 2, std::chrono::milliseconds(2000))) {
    try {
      notifications().save(db_, notification);
      return;
    } catch (const std::exception& error) {
      if (stopping()) throw;
      platform::log::warn("recording a KakaoTalk message's delivery failed; retrying",
                          {{"orderId", std::to_string(notification.order_id)}, {"error", error.what()}});
    }
    std::unique_lock lock(wake_->mutex);
    wake_->cv.wait_for(lock, wait, [&] { return wake_->stopping; });
  }
}

void NotificationSender::deliver(Notification notification) {
  notification.sending();
  notifications().save(db_, notification);
  std::string state;
  std::optional<std::string> failure;
  try {
    state = messenger_->deliver(notification);
  } catch (const std::exception& error) {
    failure = error.what();
  }
  auto order = std::to_string(notification.order_id);
  if (!failure) {
    notification.delivered(state, platform::now_ms());
    record_outcome(notification);
    attempts_ending(state == delivery_state::Sent ? "sent" : "recorded").Increment();
    platform::log::info(state == delivery_state::Sent ? "KakaoTalk message sent"
                                                      : "KakaoTalk message recorded (no FD_KAKAO_TOKEN)",
                        {{"orderId", order}, {"status", notification.status}});
    return;
  }
  notification.failed(*failure, platform::now_ms());
  record_outcome(notification);
  attempts_ending("failed").Increment();
  platform::log::warn("KakaoTalk message not delivered; retrying",
                      {{"orderId", order},
                       {"status", notification.status},
                       {"attempt", std::to_string(notification.attempts)},
                       {"retryInMs", std::to_string(retry_delay(notification.attempts).count())},
                       {"error", notification.last_error}});
}

}  // namespace customer
