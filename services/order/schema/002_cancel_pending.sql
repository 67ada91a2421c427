-- A pending cancel becomes a status of its own, CANCEL_PENDING, remembering the status it
-- came from (shown outside while it is pending); cancel_requested_at stays its start.
ALTER TABLE orders ADD COLUMN status_before_cancel TEXT;
-- A recorded intent on an order that is still cancelable (R6) is pending; one on an order
-- that has moved on since was void, as the previous recovery would have found.
UPDATE orders SET status_before_cancel = status, status = 'CANCEL_PENDING'
  WHERE cancel_requested_at IS NOT NULL AND status IN ('PLACED', 'PAID', 'ACCEPTED');
UPDATE orders SET cancel_requested_at = NULL WHERE status <> 'CANCEL_PENDING';
