-- Subitems the next sync would touch, per customer and group (ordersync plan; read-only).
-- Zeroing a line that never reached the board (no subitem id) is nothing to do, and so
-- is creating a line of a cancelled order, or of an order gone from its file before it
-- reached the board.
SELECT {customer} AS customer, o.profile, o.group_name,
       SUM(CASE WHEN l.sync_state = :pending AND l.sync_action = 'CREATE'
                     AND o.is_cancelled = 0 AND NOT (o.removed_at IS NOT NULL
                                                     AND o.monday_item_id IS NULL)
                THEN 1 ELSE 0 END) AS subitems_create,
       SUM(CASE WHEN l.sync_state = :pending AND l.sync_action = 'UPDATE'
                THEN 1 ELSE 0 END) AS subitems_update,
       SUM(CASE WHEN l.sync_state = :pending AND l.sync_action IN ('CANCEL', 'REMOVE')
                     AND l.monday_subitem_id IS NOT NULL THEN 1 ELSE 0 END) AS subitems_zero,
       SUM(CASE WHEN l.sync_state = :pending
                     AND NOT ((l.sync_action = 'CREATE' AND o.is_cancelled = 0
                               AND NOT (o.removed_at IS NOT NULL AND o.monday_item_id IS NULL))
                              OR l.sync_action = 'UPDATE'
                              OR (l.sync_action IN ('CANCEL', 'REMOVE')
                                  AND l.monday_subitem_id IS NOT NULL))
                THEN 1 ELSE 0 END) AS nothing_to_do,
       SUM(CASE WHEN l.sync_state = :failed THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN l.sync_state = :sending THEN 1 ELSE 0 END) AS in_doubt
FROM {order_lines} l
JOIN {orders} o ON o.record_uuid = l.record_uuid
WHERE l.sync_state IN (:pending, :failed, :sending)
GROUP BY 1, 2, 3
