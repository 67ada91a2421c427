-- The customer's estimated arrival (domain/order_status.hpp says how it is made), and the
-- ride's minutes it is made from once cooking finished. The view's tables change: the next
-- start rebuilds the view from the stream, which fills them in.
ALTER TABLE order_statuses ADD COLUMN estimated_arrival INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_statuses ADD COLUMN ride_minutes INTEGER NOT NULL DEFAULT 0;
DELETE FROM view_shape;
