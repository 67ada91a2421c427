-- Failed logins per username, known or not (domain/login_backoff.hpp): replicas share the
-- lockout because they share this table. A success deletes the username's row; rows whose
-- last failure is older than the policy's forget window are deleted as new failures come.
CREATE TABLE IF NOT EXISTS login_failures (
  username TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure_at INTEGER NOT NULL,
  locked_until INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_by_age ON login_failures (last_failure_at);
