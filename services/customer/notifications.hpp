#pragma once
// The delivery of the queued KakaoTalk notifications (app.hpp queues them): a sender thread
// working while the service serves, through a Messenger (kakao_talk.hpp chooses one).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/notification.hpp"
#include "platform/db.hpp"
#include "platform/leadership.hpp"
#include "platform/metrics.hpp"

namespace customer {

// Where messages go.
class Messenger {
 public:
  virtual ~Messenger() = default;
  // How many calls it may have under way at once, each on a thread of the sender's; 0 for one
  // that calls nobody, whose delivery is then recorded in the commit that records the message's
  // new state.
  virtual std::size_t parallel_calls() const = 0;
  // Delivers one message and returns the state it reached (delivery_state::Sent or
  // Recorded); throws std::exception saying why when it was not delivered. Called from
  // parallel_calls() threads at once.
  virtual std::string deliver(const Notification& notification) = 0;
};

// Delivers queued messages, woken by each commit that queued one and polling as a fallback (for
// what another replica queued, and, on a replica that does not lead the sending, for its turn
// to lead). Messages of different orders
// go out side by side, up to the messenger's parallel_calls(): with Kakao answering in 100 ms,
// one call at a time would send 10 messages a second. One order's messages go one at a time,
// in order: the next waits until the one before is answered, and a failed message is retried
// after retry_delay() with its order's later messages behind it, so that a customer never reads
// "조리시작" before "접수됨". The messages that start together are marked SENDING in one commit,
// and the answers that have come in are recorded together in the next.
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
  // A caller thread: makes the calls the sender thread starts, one at a time.
  void call();
  bool stopping() const;
  // Starts (or, for a messenger that calls nobody, makes) the deliveries that are due; returns
  // when (epoch ms) the next waiting message is due, if any.
  std::optional<std::int64_t> deliver_due();
  // Each order's first waiting message, if due and no earlier one of its order is under way.
  std::vector<Notification> due(std::int64_t limit);
  void deliver_here(std::vector<Notification> messages);
  void start_calls(std::vector<Notification> messages);
  // Records the answers the callers have brought back.
  void record_answers();
  // Kakao has answered: its answers are recorded however long the database is away, since a
  // message left SENDING is one nobody may send again.
  void record(const std::vector<Notification>& answered);
  // Marks the attempts a stop cut off as delivery_state::Unconfirmed.
  void settle_cut_off_attempts();
  void stop_callers();

  platform::Db& db_;
  std::unique_ptr<Messenger> messenger_;
  std::size_t parallel_calls_;
  std::chrono::milliseconds poll_;
  std::shared_ptr<Wake> wake_;
  platform::Leadership leadership_;  // the sender thread's
  bool led_ = false;                 // whether it led at its last look (the sender thread's)
  std::set<std::int64_t> under_way_; // messages handed to the callers, not yet recorded (the sender thread's)
  std::vector<std::thread> callers_;
  std::thread thread_;
};

// The KakaoTalk queue for /metrics: messages by delivery state (PENDING is the queue).
std::vector<prometheus::MetricFamily> notification_families(platform::Db& db);

}  // namespace customer
