-- moves: SENDING CONFIRMED, SENDING ADOPTED, SENDING CHANGED_IN_FLIGHT
-- The board has what was sent (confirmed, or found there after a lost response): SYNCED
-- with the item's id; changed by a merge meanwhile (row_hash no longer the hash sent):
-- PENDING for an update.  done is the state CONFIRMED or ADOPTED leads to.
UPDATE {orders} SET monday_item_id = :item_id,
    monday_group_id = COALESCE(CAST(:group_id AS TEXT), monday_group_id),
    synced_values = COALESCE(sent_values, synced_values), synced_hash = sent_hash,
    sync_state = CASE WHEN row_hash = sent_hash THEN :done ELSE :to_CHANGED_IN_FLIGHT END,
    sync_action = CASE WHEN row_hash = sent_hash THEN sync_action
                       WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'UPDATE' END,
    sent_values = NULL, sent_hash = NULL, attempts = 0, last_error = NULL
WHERE record_uuid = :record_uuid AND sync_state IN :from_states
