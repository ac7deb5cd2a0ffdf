-- moves: SENDING REQUEUED, SENDING RECORD_ERROR, SENDING FAULTS_EXHAUSTED, PENDING RECORD_ERROR
-- An order not confirmed: back to PENDING (sent again) or FAILED (refused, or faulted in
-- record_attempts sends), with the reason; from_state and to_state per row, from the table.
UPDATE {orders} SET sync_state = :to_state, sent_values = NULL, sent_hash = NULL,
    last_error = COALESCE(:reason, last_error)
WHERE record_uuid = :record_uuid AND sync_state = :from_state
