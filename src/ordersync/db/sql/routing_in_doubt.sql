-- Orders with a record left SENDING by an earlier run, and the board each is placed on
-- (ordersync.routing: each board's in-doubt records are looked up on that board).
SELECT o.record_uuid, o.monday_board_id, o.monday_item_id
FROM {orders} o
WHERE o.sync_state = :sending
   OR EXISTS (SELECT 1 FROM {order_lines} l
              WHERE l.record_uuid = o.record_uuid AND l.sync_state = :sending)
