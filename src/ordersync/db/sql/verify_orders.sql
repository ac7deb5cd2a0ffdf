-- Every order in scope, as ordersync verify compares it with the board (read-only).
-- Filled in: the business columns the mapping reads (as c0, c1, …), and the scope (AND … on o).
SELECT o.record_uuid, o.business_key, o.group_name, o.item_name, o.is_cancelled,
       o.sync_state, o.sync_action, o.monday_item_id, o.monday_group_id, o.row_hash,
       o.synced_values, o.sent_values, o.sent_hash, o.attempts, o.changed_at{extra}
FROM {orders} o
WHERE 1 = 1{scope}
ORDER BY o.group_name, o.item_name, o.record_uuid
