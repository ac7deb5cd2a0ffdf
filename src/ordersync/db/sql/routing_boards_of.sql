-- The board each of these orders' items is on (ordersync.routing; NULL board: monday.board_id).
SELECT record_uuid, monday_board_id FROM {orders}
WHERE record_uuid IN :uuids AND monday_item_id IS NOT NULL
