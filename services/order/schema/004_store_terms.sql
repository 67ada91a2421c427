-- Owners run their store: the catalog replica keeps each store's terms from StoreChanged
-- (where it is, the owner's open/closed toggle, weekly opening hours and delivery fee bands
-- as JSON text, the minimum order) and the revision it last applied, and each dish's
-- sold-out mark. A store known only from StoreOpened stays open all week with free
-- delivery, as before. Each order keeps the delivery fee it was charged (in its total).
ALTER TABLE catalog_store ADD COLUMN lat REAL NOT NULL DEFAULT 0;
ALTER TABLE catalog_store ADD COLUMN lon REAL NOT NULL DEFAULT 0;
ALTER TABLE catalog_store ADD COLUMN open INTEGER NOT NULL DEFAULT 1;
ALTER TABLE catalog_store ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '[]';
ALTER TABLE catalog_store ADD COLUMN minimum_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalog_store ADD COLUMN delivery_fees TEXT NOT NULL DEFAULT '[]';
ALTER TABLE catalog_store ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalog_menu ADD COLUMN sold_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN delivery_fee INTEGER NOT NULL DEFAULT 0;
