-- The Idempotency-Key a customer sent with POST /orders: the hash of the request it came
-- with and the 201 it got, so that a retry gets the same answer and places nothing. Claimed
-- and answered in the order's own transaction, so no other transaction ever sees a row
-- whose order_id and answer are still NULL. Purged once older than
-- FD_IDEMPOTENCY_KEY_TTL_SECONDS (24 hours by default).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  customer TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
  order_id INTEGER, answer TEXT, created_at INTEGER NOT NULL,
  PRIMARY KEY (customer, idempotency_key));
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);
