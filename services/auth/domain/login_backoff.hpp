#pragma once
// Per-username backoff after failed logins: a few failures are free, then the username is
// locked for a window that doubles with each further failure, up to a cap. It ends by itself,
// and a successful login forgets the failures. Unknown usernames are treated alike, so a
// lockout tells nobody which usernames exist. Pure: the adapter keeps the record.
#include <cstdint>

namespace auth {

struct BackoffPolicy {
  int free_failures = 5;                         // failures before the first lock
  std::int64_t first_lock_ms = 1000;             // the lock after the last free failure
  std::int64_t max_lock_ms = 15 * 60 * 1000;     // the doubling stops here
  std::int64_t forget_after_ms = 24 * 3600 * 1000;  // failures older than this no longer count
};

// A username's failed logins since its last success.
struct FailedLogins {
  int failures = 0;
  std::int64_t last_failure_at = 0;  // epoch ms
  std::int64_t locked_until = 0;     // epoch ms; a login before it is refused unchecked
};

// Milliseconds the username stays locked from now; 0 when it may try.
std::int64_t lock_remaining_ms(const FailedLogins& record, std::int64_t now_ms);
// The whole seconds a client is told to wait (Retry-After), never 0 while locked.
std::int64_t retry_after_seconds(std::int64_t remaining_ms);
// The record after one more failure at now_ms: the K-th failure (K = free_failures) locks
// for first_lock_ms, each further one for twice as long, at most max_lock_ms.
FailedLogins after_failure(FailedLogins record, const BackoffPolicy& policy, std::int64_t now_ms);
// Throws std::invalid_argument naming the setting when the policy makes no sense.
void check(const BackoffPolicy& policy);

}  // namespace auth
