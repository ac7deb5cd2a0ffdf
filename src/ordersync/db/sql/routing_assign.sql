-- Orders about to be created on a board (ordersync.routing): the board is recorded before
-- their creates are sent, so a crash leaves them placed there, to be looked up there.
UPDATE {orders} SET monday_board_id = :board_id
WHERE record_uuid IN :uuids AND monday_item_id IS NULL
