-- The orders in scope with a pending order or line, in board order.  An order gone from
-- its file before it reached the board (no item) is not sent: it waits, PENDING, in case
-- it comes back.
SELECT o.record_uuid FROM {orders} o
WHERE (o.sync_state = :pending
       OR EXISTS (SELECT 1 FROM {order_lines} l
                  WHERE l.record_uuid = o.record_uuid AND l.sync_state = :pending))
  AND NOT {held_back}{scope}
ORDER BY o.group_name, o.item_name, o.record_uuid{limit}
