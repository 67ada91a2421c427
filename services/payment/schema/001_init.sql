-- One row per order charged (or canceled before it was charged).
CREATE TABLE IF NOT EXISTS payments (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL,
  reason TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
