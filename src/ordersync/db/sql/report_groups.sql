-- The boards' fill: items and subitems ordersync put in each group of each board (routed
-- boards by their registered name; one board when nothing is routed).
SELECT COALESCE(b.board_name, o.monday_board_id) AS board,
       COALESCE(o.group_name, '(default group)') AS group_name,
       COUNT(DISTINCT o.record_uuid) AS items, COUNT(l.monday_subitem_id) AS subitems
FROM {orders} o
LEFT JOIN {order_lines} l ON l.record_uuid = o.record_uuid
LEFT JOIN {monday_boards} b ON b.board_id = o.monday_board_id
WHERE o.monday_item_id IS NOT NULL
GROUP BY COALESCE(b.board_name, o.monday_board_id), COALESCE(o.group_name, '(default group)')
ORDER BY 1, 2
