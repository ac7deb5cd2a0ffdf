-- moves: SYNCED DATA_CHANGED, FAILED DATA_CHANGED, PENDING DATA_CHANGED, SENDING DATA_CHANGED
-- Existing lines whose target quantity, or cancelled-ness, changed.
UPDATE {order_lines} SET
    qty = t.qty,
    sync_state = CASE WHEN {order_lines}.sync_state = :sending THEN :sending ELSE :pending END,
    sync_action = CASE WHEN t.cancelled = 1 THEN 'CANCEL'
                       WHEN {order_lines}.monday_subitem_id IS NULL THEN 'CREATE'
                       ELSE 'UPDATE' END,
    attempts = 0, last_error = NULL, changed_at = {now}
FROM _target t
WHERE {order_lines}.record_uuid = t.record_uuid
  AND {order_lines}.size_code = t.size_code
  AND ({order_lines}.qty <> t.qty
       OR (t.cancelled = 1) <> (COALESCE({order_lines}.sync_action, '') = 'CANCEL')
       OR COALESCE({order_lines}.sync_action, '') = 'REMOVE')
