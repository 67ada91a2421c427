#pragma once
// KakaoTalk notifications (R10) as an outbox: the projection queues a message in the same
// transaction as the status change it announces, at most one per (order, status) however
// often an event is delivered or the view replayed; a sender thread delivers the queue.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "domain/order_status.hpp"
#include "platform/db.hpp"
#include "platform/identity.hpp"
#include "platform/router.hpp"

namespace customer {

struct Notification {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::string text;
};

// Where messages go (kakao_talk.hpp chooses one from the settings).
class Messenger {
 public:
  virtual ~Messenger() = default;
  // Delivers one message and returns the state it reached (delivery_state::Sent or
  // Recorded); throws std::exception saying why when it was not delivered.
  virtual std::string deliver(const Notification& notification) = 0;
};

void prepare_notifications(platform::Db& db);

// Queues the message announcing the view's current status, unless it was queued before.
void queue_notification(platform::Db& tx, const OrderStatus& view);

// GET /notifications and /notifications/{notificationId}: the calling customer's messages.
void add_notification_routes(platform::Router& router, platform::Db& db, const platform::Identity& identity);

// Delivers queued messages, woken by each commit and polling as a fallback. A failed message
// is retried after retry_delay() and its order's later messages wait behind it, so that a
// customer never reads "조리시작" before "접수됨".
class NotificationSender {
 public:
  NotificationSender(platform::Db& db, std::unique_ptr<Messenger> messenger,
                     std::chrono::milliseconds poll = std::chrono::seconds(1));
  ~NotificationSender();
  NotificationSender(const NotificationSender&) = delete;
  NotificationSender& operator=(const NotificationSender&) = delete;

 private:
  struct Wake;
  void run();
  bool stopping() const;
  // Delivers what is due; returns when (epoch ms) the next waiting message is due, if any.
  std::optional<std::int64_t> deliver_due();
  void deliver(const platform::Row& row);

  platform::Db& db_;
  std::unique_ptr<Messenger> messenger_;  // used by the sender thread only (HttpClient is not thread-safe)
  std::chrono::milliseconds poll_;
  std::shared_ptr<Wake> wake_;
  std::thread thread_;
};

}  // namespace customer
