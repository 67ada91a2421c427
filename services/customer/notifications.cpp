#include "notifications.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
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

// The first waiting message of each order, the only one that may go next: no earlier message
// of its order waits or is under way. Its parameters are kHeadOfItsOrderArgs.
constexpr const char* kHeadOfItsOrder =
    "state = ? AND NOT EXISTS (SELECT 1 FROM notifications e "
    "WHERE e.order_id = notifications.order_id AND e.state IN (?, ?) AND e.id < notifications.id)";
const std::vector<platform::Value> kHeadOfItsOrderArgs{delivery_state::Pending, delivery_state::Pending,
                                                       delivery_state::Sending};

// What each attempt came to: sent, recorded, failed (retried), or cut off (unconfirmed).
prometheus::Counter& attempts_ending(std::string_view how) {
  static auto& family = prometheus::BuildCounter()
                            .Name("fd_kakao_attempts_total")
                            .Help("KakaoTalk delivery attempts, by how they ended: sent, recorded (no token), "
                                  "failed (retried later) or unconfirmed (cut off by a stop).")
                            .Register(platform::metrics::registry());
  return family.Add({{"result", std::string(how)}});
}

// An attempt's end, counted and said in the log once it is recorded.
void tell(const Notification& message, bool called_off) {
  if (called_off) return;  // never called: it waits as it did
  auto order = std::to_string(message.order_id);
  if (message.state == delivery_state::Pending) {
    attempts_ending("failed").Increment();
    platform::log::warn("KakaoTalk message not delivered; retrying",
                        {{"orderId", order},
                         {"status", message.status},
                         {"attempt", std::to_string(message.attempts)},
                         {"retryInMs", std::to_string(retry_delay(message.attempts).count())},
                         {"error", message.last_error}});
    return;
  }
  const bool sent = message.state == delivery_state::Sent;
  attempts_ending(sent ? "sent" : "recorded").Increment();
  platform::log::info(sent ? "KakaoTalk message sent" : "KakaoTalk message recorded (no FD_KAKAO_TOKEN)",
                      {{"orderId", order}, {"status", message.status}});
}

// The messenger's answer, applied to the message.
void attempt(Messenger& messenger, Notification& message) {
  try {
    auto reached = messenger.deliver(message);
    message.delivered(reached, platform::now_ms());
  } catch (const std::exception& error) {
    message.failed(error.what(), platform::now_ms());
  }
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

// Shared with the Db's commit listener, which outlives the sender, and with the callers.
struct NotificationSender::Wake {
  struct Answer {
    Notification message;
    bool called_off = false;  // taken by a caller after the stop: never called
  };

  std::mutex mutex;
  std::condition_variable cv;     // the sender thread waits on it
  std::condition_variable calls;  // the callers wait on it
  bool pending = false;
  bool stopping = false;
  std::deque<Notification> to_call;  // marked SENDING, for a caller
  std::vector<Answer> answers;       // back from the callers, to record

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
      parallel_calls_(messenger_->parallel_calls()),
      poll_(poll),
      wake_(std::make_shared<Wake>()),
      leadership_(db, "KakaoTalk sender", poll) {
  db_.on_commit([wake = wake_] {
    if (MessageQueued::take()) wake->notify();
  });
  for (std::size_t i = 0; i < parallel_calls_; ++i) callers_.emplace_back([this] { call(); });
  thread_ = std::thread([this] { run(); });
}

NotificationSender::~NotificationSender() {
  {
    std::lock_guard lock(wake_->mutex);
    wake_->stopping = true;
  }
  wake_->cv.notify_all();
  wake_->calls.notify_all();
  thread_.join();  // it joins the callers and records what they bring back
}

bool NotificationSender::stopping() const {
  std::lock_guard lock(wake_->mutex);
  return wake_->stopping;
}

void NotificationSender::run() {
  platform::name_this_thread("kakao-sender");
  for (;;) {
    auto deadline = std::chrono::steady_clock::now() + poll_;
    try {
      record_answers();
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
    if (wake_->stopping) break;
    wake_->pending = false;
  }
  stop_callers();
}

void NotificationSender::stop_callers() {
  for (auto& caller : callers_) caller.join();
  try {
    record_answers();
  } catch (const std::exception& error) {
    // What stays SENDING is marked UNCONFIRMED by the sender that leads next, never sent twice.
    platform::log::warn("recording KakaoTalk answers at the stop failed", {{"error", error.what()}});
  }
}

void NotificationSender::call() {
  platform::name_this_thread("kakao-call");
  for (;;) {
    Notification message;
    bool called_off = false;
    {
      std::unique_lock lock(wake_->mutex);
      wake_->calls.wait(lock, [&] { return wake_->stopping || !wake_->to_call.empty(); });
      if (wake_->to_call.empty()) return;
      message = std::move(wake_->to_call.front());
      wake_->to_call.pop_front();
      called_off = wake_->stopping;
    }
    if (called_off)
      message.called_off();
    else
      attempt(*messenger_, message);
    {
      std::lock_guard lock(wake_->mutex);
      wake_->answers.push_back({std::move(message), called_off});
      wake_->pending = true;
    }
    wake_->cv.notify_one();
  }
}

std::vector<Notification> NotificationSender::due(std::int64_t limit) {
  auto args = kHeadOfItsOrderArgs;
  args.emplace_back(platform::now_ms());
  args.emplace_back(limit);
  return notifications().select(
      db_, std::string("WHERE ") + kHeadOfItsOrder + " AND next_attempt_at <= ? ORDER BY id LIMIT ?", args);
}

std::optional<std::int64_t> NotificationSender::deliver_due() {
  if (parallel_calls_ == 0) {
    for (;;) {
      auto batch = due(kBatch);
      const auto taken = static_cast<std::int64_t>(batch.size());
      deliver_here(std::move(batch));
      if (taken < kBatch || stopping()) break;
    }
  } else {
    const auto free = parallel_calls_ - under_way_.size();
    if (free > 0) start_calls(due(static_cast<std::int64_t>(free)));
    // Every caller busy: what is due waits for an answer, which wakes the sender.
    if (under_way_.size() == parallel_calls_) return std::nullopt;
  }
  auto next = db_.query_one(std::string("SELECT MIN(next_attempt_at) AS due FROM notifications WHERE ") +
                                kHeadOfItsOrder,
                            kHeadOfItsOrderArgs);
  if (!next || next->is_null("due")) return std::nullopt;
  return next->integer("due");
}

void NotificationSender::deliver_here(std::vector<Notification> messages) {
  if (messages.empty()) return;
  // Nobody is called: the delivery and its record are one commit.
  std::vector<Notification> delivered;
  db_.transaction([&](Db& tx) {
    delivered = messages;
    for (auto& message : delivered) {
      attempt(*messenger_, message);
      notifications().save(tx, message);
    }
  });
  for (const auto& message : delivered) tell(message, false);
}

void NotificationSender::start_calls(std::vector<Notification> messages) {
  if (messages.empty()) return;
  for (auto& message : messages) message.sending();
  db_.transaction([&](Db& tx) {
    for (const auto& message : messages) notifications().save(tx, message);
  });
  {
    std::lock_guard lock(wake_->mutex);
    for (auto& message : messages) {
      under_way_.insert(message.id);
      wake_->to_call.push_back(std::move(message));
    }
  }
  wake_->calls.notify_all();
}

void NotificationSender::record_answers() {
  std::vector<Wake::Answer> answers;
  {
    std::lock_guard lock(wake_->mutex);
    answers.swap(wake_->answers);
  }
  if (answers.empty()) return;
  std::vector<Notification> answered;
  answered.reserve(answers.size());
  for (const auto& answer : answers) answered.push_back(answer.message);
  record(answered);
  for (const auto& answer : answers) {
    under_way_.erase(answer.message.id);
    tell(answer.message, answer.called_off);
  }
}

void NotificationSender::record(const std::vector<Notification>& answered) {
  for (auto wait = std::chrono::milliseconds(100);; wait = std::min(wait * 2, std::chrono::milliseconds(2000))) {
    try {
      db_.transaction([&](Db& tx) {
        for (const auto& message : answered) notifications().save(tx, message);
      });
      return;
    } catch (const std::exception& error) {
      if (stopping()) throw;
      platform::log::warn("recording KakaoTalk answers failed; retrying",
                          {{"messages", std::to_string(answered.size())}, {"error", error.what()}});
    }
    std::unique_lock lock(wake_->mutex);
    wake_->cv.wait_for(lock, wait, [&] { return wake_->stopping; });
  }
}

void NotificationSender::settle_cut_off_attempts() {
  // Only the leader sends, and it has just become the leader: an attempt still SENDING was cut
  // off by its sender's stop (or the sender lost the lead mid-call, and records the answer it
  // gets over this). This sender's own calls under way are not cut off.
  // Changed only while still SENDING: a sender that lost the lead mid-call may record its
  // answer between the select and here, and that answer must stand.
  auto cut_off = notifications().select(db_, "WHERE state = ?", {delivery_state::Sending});
  for (auto& notification : cut_off) {
    if (under_way_.contains(notification.id)) continue;
    if (db_.exec("UPDATE notifications SET state = ? WHERE id = ? AND state = ?",
                 {delivery_state::Unconfirmed, notification.id, delivery_state::Sending}) == 0)
      continue;
    attempts_ending("unconfirmed").Increment();
    platform::log::warn("KakaoTalk message in doubt: its sending was cut off by a stop; it is not sent again",
                        {{"orderId", std::to_string(notification.order_id)}, {"status", notification.status}});
  }
}

}  // namespace customer
