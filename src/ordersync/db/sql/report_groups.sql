-- The board's fill: items and subitems ordersync put in each group.
SELECT COALESCE(o.group_name, '(default group)') AS group_name,
       COUNT(DISTINCT o.record_uuid) AS items, COUNT(l.monday_subitem_id) AS subitems
FROM {orders} o
LEFT JOIN {order_lines} l ON l.record_uuid = o.record_uuid
WHERE o.monday_item_id IS NOT NULL
GROUP BY COALESCE(o.group_name, '(default group)')
ORDER BY 1
