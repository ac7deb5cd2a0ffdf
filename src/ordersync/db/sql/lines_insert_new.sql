-- moves: NEW ADDED
-- Every line of the orders new in this merge (no line of theirs can exist yet): straight
-- from staging, without the diff's working table, under the record_uuid merge_changes
-- gave the order.
INSERT INTO {order_lines} (record_uuid, size_code, qty, sync_state, sync_action, attempts,
                           changed_at)
SELECT c.new_uuid, l.size_code,
       CASE WHEN c.cancelled = 1 THEN 0 ELSE l.qty END, :pending,
       CASE WHEN c.cancelled = 1 THEN 'CANCEL' ELSE 'CREATE' END, 0, {now}
FROM {merge_changes} c
JOIN {staging_lines} l ON l._file_id = c.file_id AND l._row = c."row"
WHERE c.record_uuid IS NULL
ORDER BY c.new_uuid, l.size_code  -- index-ordered inserts: far fewer page splits
