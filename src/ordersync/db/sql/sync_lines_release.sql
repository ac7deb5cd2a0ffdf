-- moves: SENDING REQUEUED, SENDING RECORD_ERROR, SENDING FAULTS_EXHAUSTED, PENDING RECORD_ERROR
-- A line not confirmed: back to PENDING (sent again) or FAILED, with the reason.
UPDATE {order_lines} SET sync_state = :to_state, sent_values = NULL,
    last_error = COALESCE(:reason, last_error)
WHERE record_uuid = :record_uuid AND size_code = :size_code AND sync_state = :from_state
