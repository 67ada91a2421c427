-- Where the rider carrying a delivery last said they were, and when (epoch ms): null until
-- their first report. The time also paces the reports (one every few seconds).
ALTER TABLE deliveries ADD COLUMN rider_lat REAL;
ALTER TABLE deliveries ADD COLUMN rider_lon REAL;
ALTER TABLE deliveries ADD COLUMN position_at INTEGER;
