-- moves: PENDING FOUND
-- A size line of an order whose item was found on the board (sync_orders_found), and the
-- subitem of its size found under that item: taken over with the values it shows, so the
-- subitem pass sends what differs (a cancelled or removed size keeps its action: zeroed,
-- or deleted).
UPDATE {order_lines} SET sync_state = :to_FOUND, monday_subitem_id = CAST(:subitem_id AS TEXT),
    synced_values = :shown, synced_qty = NULL, sent_values = NULL,
    sync_action = CASE WHEN sync_action IN ('CANCEL', 'REMOVE') THEN sync_action
                       ELSE 'UPDATE' END
WHERE record_uuid = :record_uuid AND size_code = :size_code AND monday_subitem_id IS NULL
  AND sync_state IN :from_states
