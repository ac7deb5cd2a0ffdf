-- FAILED orders and lines (the count, and the first few with their reasons) for the
-- report and for `ordersync status`.
SELECT o.item_name, NULL AS size_code, o.last_error FROM {orders} o
WHERE o.sync_state = :failed
UNION ALL
SELECT o.item_name, l.size_code, l.last_error FROM {order_lines} l
JOIN {orders} o ON o.record_uuid = l.record_uuid
WHERE l.sync_state = :failed
ORDER BY 1, 2
LIMIT :limit
