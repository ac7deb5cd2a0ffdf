-- moves: SYNCED DRIFTED, PENDING DRIFTED
-- Repair: the order's item is gone from the board: create it again (the sync's item pass
-- creates an order without an item id; a cancelled one is left off the board).  Records
-- an interrupted sync left SENDING are not touched: the next sync reconciles them first.
UPDATE {orders}
SET monday_item_id = NULL, monday_group_id = NULL, synced_values = NULL, synced_hash = NULL,
    sync_state = :to_DRIFTED,
    sync_action = CASE WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'CREATE' END,
    attempts = 0, last_error = :reason
WHERE record_uuid = :u AND sync_state IN :from_states
