-- moves: SYNCED DRIFTED, PENDING DRIFTED
-- Repair: the board has the line's subitem with another quantity or status (or under
-- another id): record what it shows, so the sync's subitem pass sends what differs.
UPDATE {order_lines}
SET monday_subitem_id = :sub, synced_values = :shown,
    sync_state = :to_DRIFTED,
    sync_action = CASE WHEN sync_action = 'CREATE' THEN 'UPDATE' ELSE sync_action END,
    attempts = 0, last_error = :reason
WHERE record_uuid = :u AND size_code = :c AND sync_state IN :from_states
