-- moves: SYNCED GONE, SENDING GONE, PENDING GONE
-- A subitem gone from the board, or every subitem of an order whose item is gone
-- (size_code NULL).  subitem_id is the subitem a lookup under the item found by its
-- size (its values are sent again), or NULL: created again if it has a quantity to show.
-- A FAILED line keeps its state (--retry-failed sends it) but forgets the subitem.
UPDATE {order_lines} SET
    sync_state = CASE WHEN sync_state IN :from_states THEN :to_GONE ELSE sync_state END,
    monday_subitem_id = CAST(:subitem_id AS TEXT), synced_values = NULL, synced_qty = NULL,
    sent_values = NULL,
    sync_action = CASE WHEN sync_action IN ('CANCEL', 'REMOVE') THEN sync_action
                       WHEN CAST(:subitem_id AS TEXT) IS NULL THEN 'CREATE' ELSE 'UPDATE' END
WHERE record_uuid = :record_uuid
  AND (CAST(:size_code AS TEXT) IS NULL OR size_code = :size_code)
