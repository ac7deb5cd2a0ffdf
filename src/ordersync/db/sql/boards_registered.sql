-- The board registry (ordersync.routing): every board a route was given, in route order.
SELECT route_value, part, board_name, board_id, subitems_board_id, origin
FROM {monday_boards}
ORDER BY route_value, part
