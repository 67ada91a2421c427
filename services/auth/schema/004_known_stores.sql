-- The stores that exist, as the store service announced them (StoreOpened): an owner account
-- is made only for one of them, without a call to the store service.
CREATE TABLE IF NOT EXISTS known_stores (store_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
