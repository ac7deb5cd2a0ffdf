-- Every size line of the orders in scope, with its order's item (ordersync verify; read-only).
-- An order gone from its file before it reached the board should show nowhere: left out.
SELECT l.record_uuid, l.size_code, l.qty, l.sync_state, l.sync_action, l.monday_subitem_id,
       l.synced_values, l.sent_values, l.attempts, l.changed_at,
       o.monday_item_id, o.sync_state AS order_state, o.is_cancelled, o.item_name
FROM {order_lines} l
JOIN {orders} o ON o.record_uuid = l.record_uuid
WHERE NOT {held_back}{scope}
ORDER BY l.record_uuid, l.size_code
