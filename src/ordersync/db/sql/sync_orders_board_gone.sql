-- moves: SYNCED GONE, SENDING GONE, PENDING GONE
-- The routed board the order was placed on is gone from monday.com and its route is given a
-- new board (`ordersync sync --new-board`): the order forgets its item, group and board, so
-- routing places it again and it is created there (a cancelled one is left off the board).
-- A FAILED order keeps its state (--retry-failed sends it) but forgets them too.
UPDATE {orders} SET
    sync_state = CASE WHEN sync_state IN :from_states THEN :to_GONE ELSE sync_state END,
    monday_item_id = NULL, monday_group_id = NULL, monday_board_id = NULL,
    synced_values = NULL, synced_hash = NULL, sent_values = NULL, sent_hash = NULL,
    sync_action = CASE WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'CREATE' END,
    last_error = :reason
WHERE record_uuid = :record_uuid
