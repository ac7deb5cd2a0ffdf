-- moves: SYNCED DRIFTED, PENDING DRIFTED
-- Repair: a subitem (or its whole item) is gone: the line's subitem is created again under
-- its item (a cancelled or removed size is left off the board).
UPDATE {order_lines}
SET monday_subitem_id = NULL, synced_values = NULL, synced_qty = NULL,
    sync_state = :to_DRIFTED,
    sync_action = CASE WHEN sync_action IN ('CANCEL', 'REMOVE') THEN sync_action
                       ELSE 'CREATE' END,
    attempts = 0, last_error = :reason
WHERE record_uuid = :u AND (CAST(:c AS TEXT) IS NULL OR size_code = :c)
  AND sync_state IN :from_states
