-- The KakaoTalk sender takes, of the waiting messages, each order's first (notifications.cpp,
-- kHeadOfItsOrder): for each waiting message it looks for an earlier waiting one of its order.
-- Without this index that look went through every waiting message, so a queue of P messages
-- cost P² row visits at every wake of the sender: 4 389 waiting after a burst of orders took
-- it minutes, holding the database the events are applied in.
CREATE INDEX IF NOT EXISTS notifications_by_order ON notifications (order_id, state, id);
