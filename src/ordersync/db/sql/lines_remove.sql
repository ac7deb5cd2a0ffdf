-- moves: SYNCED DATA_CHANGED, FAILED DATA_CHANGED, PENDING DATA_CHANGED, SENDING DATA_CHANGED
-- Vanished sizes the board has (or may have): zero them with REMOVE.
UPDATE {order_lines} SET
    qty = 0,
    sync_state = CASE WHEN sync_state = :sending THEN :sending ELSE :pending END,
    sync_action = 'REMOVE', attempts = 0, last_error = NULL, changed_at = {now}
WHERE record_uuid IN (SELECT c.record_uuid FROM {merge_changes} c
                      WHERE c.record_uuid IS NOT NULL)  -- orders stored before this merge
  AND NOT (qty = 0 AND COALESCE(sync_action, '') = 'REMOVE')
  AND NOT EXISTS (SELECT 1 FROM _target t
                  WHERE t.record_uuid = {order_lines}.record_uuid
                    AND t.size_code = {order_lines}.size_code)
