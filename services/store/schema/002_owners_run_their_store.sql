-- Owners run their store: each dish has a description, a category and a sold-out mark; each
-- store its owner's open/closed toggle, weekly opening hours and delivery fee bands (JSON
-- text, as StoreChanged carries them), a minimum order, and the revision of its last
-- StoreChanged. The demo stores stay as they were: open all week, free delivery.
ALTER TABLE menu_items ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE menu_items ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE menu_items ADD COLUMN sold_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN open INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stores ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '[]';
ALTER TABLE stores ADD COLUMN minimum_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN delivery_fees TEXT NOT NULL DEFAULT '[]';
ALTER TABLE stores ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
