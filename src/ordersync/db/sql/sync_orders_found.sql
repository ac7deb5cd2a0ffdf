-- moves: PENDING FOUND
-- An order about to be created whose item the board already has, found by its identity (an
-- earlier database synced it, a backup older than the last sync was restored, a planner
-- made it by hand): the item is taken over instead of made a second time, with the values
-- it shows as the last synced ones (NULL: unknown, every column is sent), so the move and
-- item passes send what differs — a cancelled order, its cancellation.
UPDATE {orders} SET sync_state = :to_FOUND, monday_item_id = CAST(:item_id AS TEXT),
    monday_group_id = CAST(:group_id AS TEXT), synced_values = :shown, synced_hash = NULL,
    sent_values = NULL, sent_hash = NULL,
    sync_action = CASE WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'UPDATE' END
WHERE record_uuid = :record_uuid AND monday_item_id IS NULL AND sync_state IN :from_states
