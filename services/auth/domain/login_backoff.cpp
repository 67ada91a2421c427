#include "domain/login_backoff.hpp"

#include <algorithm>
#include <stdexcept>

namespace auth {

std::int64_t lock_remaining_ms(const FailedLogins& record, std::int64_t now_ms) {
  return std::max<std::int64_t>(0, record.locked_until - now_ms);
}

std::int64_t retry_after_seconds(std::int64_t remaining_ms) { return std::max<std::int64_t>(1, (remaining_ms + 999) / 1000); }

FailedLogins after_failure(FailedLogins record, const BackoffPolicy& policy, std::int64_t now_ms) {
  if (now_ms - record.last_failure_at > policy.forget_after_ms) record.failures = 0;
  record.failures += 1;
  record.last_failure_at = now_ms;
  int doublings = record.failures - policy.free_failures;
  if (doublings >= 0) {
    auto lock = policy.first_lock_ms;
    for (int i = 0; i < doublings && lock < policy.max_lock_ms; ++i) lock *= 2;
    record.locked_until = now_ms + std::min(lock, policy.max_lock_ms);
  }
  return record;
}

void check(const BackoffPolicy& policy) {
  if (policy.free_failures < 1) throw std::invalid_argument("FD_LOGIN_BACKOFF_AFTER must be at least 1");
  if (policy.first_lock_ms < 1) throw std::invalid_argument("FD_LOGIN_BACKOFF_FIRST_MS must be at least 1");
  if (policy.max_lock_ms < policy.first_lock_ms)
    throw std::invalid_argument("FD_LOGIN_BACKOFF_MAX_MS must be at least FD_LOGIN_BACKOFF_FIRST_MS");
  if (policy.forget_after_ms < policy.max_lock_ms)
    throw std::invalid_argument("FD_LOGIN_BACKOFF_FORGET_SECONDS must be at least the longest lock");
}

}  // namespace auth
