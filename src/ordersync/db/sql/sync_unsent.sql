-- Orders in scope that a finished run leaves to send: a pending order or line of an order
-- that is not FAILED (a FAILED order's lines wait with it for --retry-failed), nor gone
-- from its file before it reached the board.
SELECT COUNT(*) FROM {orders} o
WHERE o.sync_state <> :failed
  AND (o.sync_state = :pending
       OR EXISTS (SELECT 1 FROM {order_lines} l
                  WHERE l.record_uuid = o.record_uuid AND l.sync_state = :pending))
  AND NOT {held_back}{scope}
