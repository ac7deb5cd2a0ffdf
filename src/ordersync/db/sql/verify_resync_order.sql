-- moves: SYNCED DRIFTED, PENDING DRIFTED
-- Repair: the board has the order's item, showing other values or in another group.  The
-- item (adopted if the database had none or another id), its group and the values it shows
-- are recorded as what the board holds, so the sync's move and item passes send exactly
-- what differs.
UPDATE {orders}
SET monday_item_id = :item, monday_group_id = :group_id, synced_values = :shown,
    sync_state = :to_DRIFTED,
    sync_action = CASE WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'UPDATE' END,
    attempts = 0, last_error = :reason
WHERE record_uuid = :u AND sync_state IN :from_states
