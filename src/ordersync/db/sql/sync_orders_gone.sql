-- moves: SYNCED GONE, SENDING GONE, PENDING GONE
-- The order's item is gone from the board (deleted or archived there).  item_id is the
-- item a lookup by identity found for it (its values are sent again), or NULL: it is
-- created again in its group.
UPDATE {orders} SET sync_state = :to_GONE, monday_item_id = CAST(:item_id AS TEXT),
    monday_group_id = CAST(:group_id AS TEXT), synced_values = NULL, synced_hash = NULL,
    sent_values = NULL, sent_hash = NULL, last_error = :reason,
    sync_action = CASE WHEN CAST(:item_id AS TEXT) IS NOT NULL
                            THEN (CASE WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'UPDATE' END)
                       WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'CREATE' END
WHERE record_uuid = :record_uuid AND sync_state IN :from_states
