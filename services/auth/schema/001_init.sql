-- Accounts, and the refresh tokens issued to them (kept only as their SHA-256).
CREATE TABLE IF NOT EXISTS accounts (
  username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, store_id TEXT,
  display_name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS refresh_tokens_by_user ON refresh_tokens (username);
