-- Record a board for (route, part); a route's part is recorded once (the first board wins).
INSERT INTO {monday_boards} (route_value, part, board_name, board_id, subitems_board_id, origin)
VALUES (:route_value, :part, :board_name, :board_id, :subitems_board_id, :origin)
ON CONFLICT (route_value, part) DO NOTHING
