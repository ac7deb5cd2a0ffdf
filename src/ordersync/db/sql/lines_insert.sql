-- moves: NEW ADDED
-- Sizes of stored orders the board does not have yet (new orders: lines_insert_new).
INSERT INTO {order_lines} (record_uuid, size_code, qty, sync_state, sync_action, attempts,
                           changed_at)
SELECT t.record_uuid, t.size_code, t.qty, :pending,
       CASE WHEN t.cancelled = 1 THEN 'CANCEL' ELSE 'CREATE' END, 0, {now}
FROM _target t
WHERE NOT EXISTS (SELECT 1 FROM {order_lines} ol
                  WHERE ol.record_uuid = t.record_uuid AND ol.size_code = t.size_code)
ORDER BY t.record_uuid, t.size_code  -- index-ordered inserts: far fewer page splits
