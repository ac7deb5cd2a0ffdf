-- moves: PENDING BATCH_SENT
-- An order about to be sent: SENDING, with what is sent (adopted as synced if a lost
-- response is found on the board later), committed before the request leaves; attempts
-- counts the runs that sent it (bump is 1 on its first send of a run).  sent_hash is the
-- hash of the row the values were made from, as the sync read it: should a merge have
-- changed the order since, the confirmation sees it changed in flight.
UPDATE {orders} SET sync_state = :to_BATCH_SENT, sent_values = :sent_values,
    sent_hash = :sent_hash, attempts = attempts + :bump
WHERE record_uuid = :record_uuid AND sync_state IN :from_states
