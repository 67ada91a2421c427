-- The catalog is a replica of the store service's menus, fed by StoreOpened, so that
-- pricing an order never waits on another service.
CREATE TABLE IF NOT EXISTS catalog_store (store_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalog_menu (
  menu_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL, name TEXT NOT NULL, price INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, store_name TEXT NOT NULL,
  items TEXT NOT NULL, total_price INTEGER NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  status TEXT NOT NULL, rider TEXT, placed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  cancel_requested_at INTEGER);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer, order_id);
CREATE TABLE IF NOT EXISTS reviews (
  review_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL UNIQUE, store_id INTEGER NOT NULL,
  customer TEXT NOT NULL, rating INTEGER NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_by_store ON reviews (store_id, review_id);
