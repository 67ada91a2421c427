#pragma once
// The run itself: customers place orders, the stores' owners reject or accept some, a killer
// kills and restarts parts; then the drain (drain.cpp), the verification and the report.
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "chaos.hpp"
#include "platform_script.hpp"

namespace fd::cli::chaos {

class Run {
 public:
  explicit Run(Options options);

  int run();

 private:
  void customer();
  void owner();
  void killer();
  bool drain(std::string& why);
  bool quiet(std::string& why, platform::StreamMark& last_mark);
  // Workers that find it false at once may each place one more order.
  bool placed_enough() const { return acknowledged_ >= options_.orders && kills_made_ >= options_.min_kills; }

  Options options_;
  PlatformScript script_;
  Log log_;
  Tokens tokens_;

  std::mutex mutex_;  // guards placed_, owner_queue_, kills_, failures_, last_kill_error_
  std::vector<Placed> placed_;
  std::deque<std::size_t> owner_queue_;  // indexes into placed_
  std::vector<Kill> kills_;
  std::map<std::string, int> failures_;  // what went wrong on the client's side → how many
  std::string last_kill_error_;

  std::atomic<int> tickets_{0};
  std::atomic<int> acknowledged_{0};
  std::atomic<int> first_attempt_{0};  // acknowledged on their first POST
  std::atomic<int> after_retries_{0};  // acknowledged when their key was sent again
  std::atomic<int> given_up_{0};       // never acknowledged: attempts or the deadline ran out
  std::atomic<int> attempts_{0};
  std::atomic<int> kills_made_{0};
  std::atomic<bool> killing_{true};
  std::atomic<bool> owner_stop_{false};   // no more orders will come: finish the queue
  std::atomic<bool> owner_abort_{false};  // give up what is left
  std::atomic<int> owner_pending_{0};     // reject/accept intents not yet done
  std::atomic<int> kill_failures_{0};
  Clock::time_point started_;
  Clock::time_point placing_deadline_;
  platform::StreamMark first_mark_;  // how far the stream had come before the run
};

}  // namespace fd::cli::chaos
