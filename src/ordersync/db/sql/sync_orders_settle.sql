-- moves: PENDING NOTHING_TO_SEND
-- Orders with nothing to send (cancelled before they reached the board, or already equal
-- to it): SYNCED as they are — unless a merge changed them since the sync read them (they
-- stay PENDING for the next sync).
UPDATE {orders} SET sync_state = :to_NOTHING_TO_SEND, synced_hash = row_hash, attempts = 0,
    last_error = NULL
WHERE record_uuid = :record_uuid AND sync_state IN :from_states AND row_hash = :row_hash
