-- Every order in scope, as ordersync verify compares it with the board (read-only); an order
-- gone from its file before it reached the board should show nowhere: left out.
-- Filled in: the business columns the mapping reads (as c0, c1, …), and the scope (AND … on o).
SELECT o.record_uuid, o.business_key, o.group_name, o.item_name, o.is_cancelled,
       o.sync_state, o.sync_action, o.monday_item_id, o.monday_group_id, o.row_hash,
       o.synced_values, o.sent_values, o.sent_hash, o.attempts, o.changed_at, o.monday_board_id{extra}
FROM {orders} o
WHERE NOT {held_back}{scope}
ORDER BY o.group_name, o.item_name, o.record_uuid
