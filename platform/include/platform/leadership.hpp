#pragma once
// Work that one replica of a service does for all of them (relaying the outbox, recovering
// interrupted sagas, sending KakaoTalk messages) is led by whichever replica holds the
// database's lease of that name; when the leader dies its lease ends with it, and another
// replica takes the work over on its next try. On SQLite the one process always leads.
#include <chrono>
#include <memory>
#include <string>

#include "platform/db.hpp"

namespace platform {

// Not thread-safe: one per thread that does the work.
class Leadership {
 public:
  Leadership(Db& db, std::string work, std::chrono::milliseconds retry = std::chrono::milliseconds(500));
  ~Leadership();
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  // True while this process leads the work; takes the lease when nobody holds it, trying at
  // most once per retry period (a database that is down is said once, not every call).
  bool leads();

 private:
  Db& db_;
  std::string work_;
  std::chrono::milliseconds retry_;
  std::unique_ptr<Db::Lease> lease_;
  std::chrono::steady_clock::time_point next_try_{};
  bool failure_logged_ = false;
};

}  // namespace platform
