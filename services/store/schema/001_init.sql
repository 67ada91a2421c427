-- The stores and their menus (seeded), the kitchen's view of each order, and the ratings
-- that reviews give the stores.
CREATE TABLE IF NOT EXISTS stores (
  store_id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, address TEXT NOT NULL,
  lat REAL NOT NULL, lon REAL NOT NULL);
CREATE TABLE IF NOT EXISTS menu_items (
  menu_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores, name TEXT NOT NULL,
  price INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS food_cookings (
  order_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL, customer TEXT NOT NULL, items TEXT NOT NULL,
  total_price INTEGER NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, status TEXT NOT NULL,
  requested_at INTEGER NOT NULL, reason TEXT, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS food_cookings_by_store ON food_cookings (store_id, order_id);
CREATE TABLE IF NOT EXISTS store_ratings (
  order_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL, rating INTEGER NOT NULL);
