-- moves: SENDING CONFIRMED, SENDING ADOPTED, SENDING CHANGED_IN_FLIGHT
-- The board has what was sent: subitem_id (NULL: deleted), the quantity and action sent.
-- Still that quantity and action: done (SYNCED); changed meanwhile: PENDING.
UPDATE {order_lines} SET monday_subitem_id = CAST(:subitem_id AS TEXT), synced_qty = :qty,
    synced_values = CASE WHEN CAST(:subitem_id AS TEXT) IS NULL THEN NULL
                         ELSE COALESCE(sent_values, synced_values) END,
    sync_state = CASE WHEN qty = :qty AND COALESCE(sync_action, '') = :action THEN :done
                      ELSE :to_CHANGED_IN_FLIGHT END,
    -- A created line keeps CREATE once synced (as orders do); one that changed while in
    -- flight goes back to PENDING as an UPDATE of the subitem it now has.
    sync_action = CASE WHEN sync_action = 'CREATE' AND CAST(:subitem_id AS TEXT) IS NOT NULL
                            AND NOT (qty = :qty AND COALESCE(sync_action, '') = :action)
                       THEN 'UPDATE' ELSE sync_action END,
    sent_values = NULL, attempts = 0, last_error = NULL
WHERE record_uuid = :record_uuid AND size_code = :size_code AND sync_state IN :from_states
