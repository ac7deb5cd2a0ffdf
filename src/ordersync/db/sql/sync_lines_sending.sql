-- moves: PENDING BATCH_SENT
-- A line about to be sent: SENDING, with what is sent, committed before the request leaves;
-- attempts counts the runs that sent it (bump is 1 on its first send of a run).
UPDATE {order_lines} SET sync_state = :to_BATCH_SENT, sent_values = :sent_values,
    attempts = attempts + :bump
WHERE record_uuid = :record_uuid AND size_code = :size_code AND sync_state IN :from_states
