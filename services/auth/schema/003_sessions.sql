-- Login sessions (domain/session.hpp): each login starts one, its refresh tokens rotate
-- within it, and its access tokens carry its id (sid). last_issued_at tells how long its
-- access tokens may live when it ends. Refresh tokens issued before sessions have none
-- (NULL) until they are rotated; used_at marks a token replaced by rotation, so that its
-- reuse is told apart from a token revoked by a logout (revoked_at).
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, username TEXT NOT NULL, started_at INTEGER NOT NULL,
  last_issued_at INTEGER NOT NULL, ended_at INTEGER);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
ALTER TABLE refresh_tokens ADD COLUMN session_id TEXT;
ALTER TABLE refresh_tokens ADD COLUMN used_at INTEGER;
CREATE INDEX IF NOT EXISTS refresh_tokens_by_session ON refresh_tokens (session_id);
