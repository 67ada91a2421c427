-- Where the rider carrying an order last said they were, and when (epoch ms): null unless the
-- order is on its way. The rows before this migration fit it as they are (no rider had
-- reported a position then), so the view needs no rebuild.
ALTER TABLE order_statuses ADD COLUMN rider_lat REAL;
ALTER TABLE order_statuses ADD COLUMN rider_lon REAL;
ALTER TABLE order_statuses ADD COLUMN rider_position_at INTEGER;
