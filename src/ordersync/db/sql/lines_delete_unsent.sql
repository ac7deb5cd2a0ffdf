-- Vanished sizes that never reached the board: nothing to undo there, drop them.
DELETE FROM {order_lines}
WHERE record_uuid IN (SELECT c.record_uuid FROM {merge_changes} c
                      WHERE c.record_uuid IS NOT NULL)  -- orders stored before this merge
  AND monday_subitem_id IS NULL
  AND sync_state <> :sending
  AND NOT EXISTS (SELECT 1 FROM _target t
                  WHERE t.record_uuid = {order_lines}.record_uuid
                    AND t.size_code = {order_lines}.size_code)
