#include "notifications.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>

#include "domain/notification.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"

namespace customer {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr std::int64_t kBatch = 32;
constexpr std::int64_t kListLimit = 100;
constexpr std::size_t kErrorLength = 500;

// The first waiting message of each order, the only one that may go next; its two
// parameters are delivery_state::Pending.
constexpr const char* kHeadOfItsOrder =
    "n.state = ? AND NOT EXISTS (SELECT 1 FROM notifications e "
    "WHERE e.order_id = n.order_id AND e.state = ? AND e.id < n.id)";

constexpr const char* kSelect =
    "SELECT id, order_id, status, text, state, attempts, last_error, created_at, sent_at FROM notifications ";

boost::json::object notification_json(const platform::Row& row) {
  auto order = std::to_string(row.integer(1));
  return {{"notificationId", row.integer(0)},
          {"orderId", row.integer(1)},
          {"status", row.text(2)},
          {"text", row.text(3)},
          {"state", row.text(4)},
          {"attempts", row.integer(5)},
          {"lastError", row.is_null(6) ? boost::json::value(nullptr) : boost::json::value(row.text(6))},
          {"createdAt", platform::iso_time(row.integer(7))},
          {"sentAt", row.is_null(8) ? boost::json::value(nullptr) : boost::json::value(platform::iso_time(row.integer(8)))},
          {"_links", platform::hal::links({{"self", "/notifications/" + std::to_string(row.integer(0))},
                                           {"orderStatus", "/orderStatuses/" + order}})}};
}

Response list_notifications(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  boost::json::array items;
  for (const auto& row : db.query(std::string(kSelect) + "WHERE customer = ? ORDER BY id DESC LIMIT ?",
                                  {caller.subject, kListLimit}))
    items.push_back(notification_json(row));
  return platform::json_response(200, platform::hal::collection("notifications", std::move(items), "/notifications"));
}

Response get_notification(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto id = request.id_param("notificationId");
  auto row = db.query_one(std::string(kSelect) + "WHERE id = ? AND customer = ?", {id, caller.subject});
  if (!row) throw platform::not_found("no notification " + std::to_string(id));
  return platform::json_response(200, notification_json(*row));
}

}  // namespace

void prepare_notifications(Db& db) {
  db.script(R"(
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, status TEXT NOT NULL, customer TEXT NOT NULL,
  text TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL,
  sent_at INTEGER, next_attempt_at INTEGER NOT NULL, UNIQUE (order_id, status));
CREATE INDEX IF NOT EXISTS notifications_by_customer ON notifications (customer, id);
CREATE INDEX IF NOT EXISTS notifications_waiting ON notifications (state, next_attempt_at);
)");
}

void queue_notification(Db& tx, const OrderStatus& view) {
  auto now = platform::now_ms();
  tx.exec("INSERT INTO notifications (order_id, status, customer, text, state, attempts, created_at, next_attempt_at) "
          "VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (order_id, status) DO NOTHING",
          {view.order_id, view.status, view.customer, message_text(view), delivery_state::Pending, now, now});
}

void add_notification_routes(platform::Router& router, Db& db, const platform::Identity& identity) {
  router.add("GET", "/notifications", [&](Request& r) { return list_notifications(db, identity, r); });
  router.add("GET", "/notifications/{notificationId}", [&](Request& r) { return get_notification(db, identity, r); });
}

// ---------------------------------------------------------------------------------------

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
    : db_(db), messenger_(std::move(messenger)), poll_(poll), wake_(std::make_shared<Wake>()) {
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
  wake_->sender.store(std::this_thread::get_id());
  for (;;) {
    auto deadline = std::chrono::steady_clock::now() + poll_;
    try {
      if (auto due = deliver_due()) {
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
    auto rows = db_.query(std::string("SELECT id, order_id, text, attempts, status FROM notifications n WHERE ") +
                              kHeadOfItsOrder + " AND n.next_attempt_at <= ? ORDER BY id LIMIT ?",
                          {delivery_state::Pending, delivery_state::Pending, platform::now_ms(), kBatch});
    for (const auto& row : rows) {
      if (stopping()) return std::nullopt;
      deliver(row);
    }
    if (static_cast<std::int64_t>(rows.size()) < kBatch) break;
  }
  auto next = db_.query_one(std::string("SELECT MIN(n.next_attempt_at) FROM notifications n WHERE ") + kHeadOfItsOrder,
                            {delivery_state::Pending, delivery_state::Pending});
  if (!next || next->is_null(0)) return std::nullopt;
  return next->integer(0);
}

void NotificationSender::deliver(const platform::Row& row) {
  Notification notification{row.integer(0), row.integer(1), row.text(2)};
  auto attempts = row.integer(3) + 1;
  auto order = std::to_string(notification.order_id);
  auto status = row.text(4);
  std::string state, failure;
  try {
    state = messenger_->deliver(notification);
  } catch (const std::exception& error) {
    failure = std::string(error.what()).substr(0, kErrorLength);
  }
  auto now = platform::now_ms();
  if (failure.empty()) {
    bool sent = state == delivery_state::Sent;
    db_.exec("UPDATE notifications SET state = ?, attempts = ?, last_error = NULL, sent_at = ? WHERE id = ?",
             {state, attempts, sent ? platform::Value(now) : platform::Value(nullptr), notification.id});
    platform::log::info(sent ? "KakaoTalk message sent" : "KakaoTalk message recorded (no FD_KAKAO_TOKEN)",
                        {{"orderId", order}, {"status", status}});
    return;
  }
  auto delay = retry_delay(attempts);
  db_.exec("UPDATE notifications SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
           {attempts, failure, now + delay.count(), notification.id});
  platform::log::warn("KakaoTalk message not delivered; retrying",
                      {{"orderId", order},
                       {"status", status},
                       {"attempt", std::to_string(attempts)},
                       {"retryInMs", std::to_string(delay.count())},
                       {"error", failure}});
}

}  // namespace customer
