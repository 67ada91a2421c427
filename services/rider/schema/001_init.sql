-- Where each rider is and how far they ride; one row per delivery, from the kitchen's
-- CookFinished to the customer's confirmation.
CREATE TABLE IF NOT EXISTS rider_positions (
  rider TEXT PRIMARY KEY, lat REAL NOT NULL, lon REAL NOT NULL, radius_km REAL NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, store_name TEXT NOT NULL,
  store_lat REAL NOT NULL, store_lon REAL NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
  status TEXT NOT NULL, rider TEXT, opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
-- The offers near a rider (a lat/lon box of OPEN ones), and what a rider holds.
CREATE INDEX IF NOT EXISTS deliveries_by_place ON deliveries (status, lat, lon);
CREATE INDEX IF NOT EXISTS deliveries_by_rider ON deliveries (rider, status);
