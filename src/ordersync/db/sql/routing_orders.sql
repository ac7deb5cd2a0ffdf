-- Every order as routing sees it (ordersync.routing; read-only): its route columns, the board
-- its item is on, whether it has or will have an item, and its subitems now and after the
-- next sync.  A cancelled order never sent, or one gone from its file before it was sent,
-- will have no item; a line gets a subitem unless its order is cancelled before it was sent.
SELECT o.record_uuid, o.business_key, o.monday_item_id, o.monday_board_id{route_columns},
       CASE WHEN o.monday_item_id IS NOT NULL
                 OR (o.is_cancelled = 0 AND o.removed_at IS NULL) THEN 1 ELSE 0 END AS on_board,
       COALESCE(l.subitems_now, 0) AS subitems_now,
       COALESCE(l.subitems_after, 0) AS subitems_after
FROM {orders} o
LEFT JOIN (
    SELECT x.record_uuid,
           SUM(CASE WHEN x.monday_subitem_id IS NOT NULL THEN 1 ELSE 0 END) AS subitems_now,
           SUM(CASE WHEN x.monday_subitem_id IS NOT NULL
                     OR (x.qty > 0 AND y.is_cancelled = 0) THEN 1 ELSE 0 END) AS subitems_after
    FROM {order_lines} x
    JOIN {orders} y ON y.record_uuid = x.record_uuid
    GROUP BY x.record_uuid
) l ON l.record_uuid = o.record_uuid
