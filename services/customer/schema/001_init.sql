-- The status view, one row per order and its timeline: written only by the projection of
-- events, so emptied and refilled from the stream by a rebuild.
CREATE TABLE IF NOT EXISTS order_statuses (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, store_name TEXT NOT NULL,
  status TEXT NOT NULL, payment_status TEXT NOT NULL, rider_id TEXT NOT NULL, total_price INTEGER NOT NULL,
  items TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS order_statuses_by_customer ON order_statuses (customer, order_id);
CREATE TABLE IF NOT EXISTS timeline (
  order_id INTEGER NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, payment_status TEXT NOT NULL,
  event_type TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (order_id, seq));

-- One row while the view's rows fit its tables. A later migration that changes the view's
-- tables ends with `DELETE FROM view_shape;`: the next start then finds events projected
-- into tables of an older shape and rebuilds the view from the stream. (version: the schema
-- version the rows were found to fit; the previous build's shape number, 2, is these tables.)
CREATE TABLE IF NOT EXISTS view_shape (version INTEGER NOT NULL);

-- The KakaoTalk messages, kept across rebuilds: one per (order, status).
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, status TEXT NOT NULL, customer TEXT NOT NULL,
  text TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL,
  sent_at INTEGER, next_attempt_at INTEGER NOT NULL, UNIQUE (order_id, status));
CREATE INDEX IF NOT EXISTS notifications_by_customer ON notifications (customer, id);
CREATE INDEX IF NOT EXISTS notifications_waiting ON notifications (state, next_attempt_at);
