-- moves: PENDING NOTHING_TO_SEND
-- Lines with nothing to send (already as the board shows them, or nothing to show) —
-- unless a merge changed them since the sync read them (they stay PENDING).
UPDATE {order_lines} SET sync_state = :to_NOTHING_TO_SEND, synced_qty = qty, attempts = 0,
    last_error = NULL
WHERE record_uuid = :record_uuid AND size_code = :size_code AND sync_state IN :from_states
  AND qty = :qty AND COALESCE(sync_action, '') = :action
