-- Orders and lines per board (ordersync status): the items and subitems each board holds
-- as the database last confirmed them, with the board's route from the registry.
SELECT o.monday_board_id AS board_id, MIN(b.board_name) AS board_name,
       MIN(b.route_value) AS route, COUNT(*) AS orders,
       COALESCE(SUM(l.lines), 0) AS lines
FROM {orders} o
LEFT JOIN {monday_boards} b ON b.board_id = o.monday_board_id
LEFT JOIN (SELECT record_uuid, COUNT(*) AS lines FROM {order_lines}
           WHERE monday_subitem_id IS NOT NULL GROUP BY record_uuid) l
       ON l.record_uuid = o.record_uuid
WHERE o.monday_item_id IS NOT NULL AND o.monday_board_id IS NOT NULL
GROUP BY o.monday_board_id
ORDER BY MIN(b.route_value), MIN(b.part), o.monday_board_id
