-- An item moved to another board (move_item_to_board): its board and group now.
UPDATE {orders} SET monday_board_id = :board_id, monday_group_id = :group_id
WHERE record_uuid = :record_uuid
