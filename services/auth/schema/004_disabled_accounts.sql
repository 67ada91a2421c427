-- Operators (role admin) disable accounts: a disabled account keeps its row, with when
-- (disabled_at, epoch ms; NULL while enabled), so that enabling it again gives it back as it was.
ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;
