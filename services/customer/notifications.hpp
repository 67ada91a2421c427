#pragma once
// The delivery of the queued KakaoTalk notifications (app.hpp queues them): a sender thread
// working while the service serves, through a Messenger (kakao_talk.hpp chooses one).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "domain/notification.hpp"
#include "platform/db.hpp"
#include "platform/leadership.hpp"
#include "platform/metrics.hpp"

namespace customer {

// Where messages go.
class Messenger {
 public:
  virtual ~Messenger() = default;
  // Delivers one message and returns the state it reached (delivery_state::Sent or
  // Recorded); throws std::exception saying why when it was not delivered.
  virtual std::string deliver(const Notification& notification) = 0;
};

// Delivers queued messages, woken by each commit and polling as a fallback (and, on a
// replica that does not lead the sending, for its turn to lead). A failed message
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
  void deliver(Notification notification);
  void record_outcome(const Notification& notification);
  // Marks the attempts a stop cut off as delivery_state::Unconfirmed.
  void settle_cut_off_attempts();

  platform::Db& db_;
  std::unique_ptr<Messenger> messenger_;  // used by the sender thread only (HttpClient is not thread-safe)
  std::chrono::milliseconds poll_;
  std::shared_ptr<Wake> wake_;
  platform::Leadership leadership_;  // the sender thread's
  bool led_ = false;                 // whether it led at its last look (the sender thread's)
  std::thread thread_;
};

// The KakaoTalk queue for /metrics: messages by delivery state (PENDING is the queue).
std::vector<prometheus::MetricFamily> notification_families(platform::Db& db);

}  // namespace customer
