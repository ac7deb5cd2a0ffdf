-- The lines the board should show for every order the merge changed: one per size with
-- qty > 0, at qty 0 when the order is cancelled.
CREATE TEMP TABLE _target AS
SELECT o.record_uuid, l.size_code,
       CASE WHEN c.cancelled = 1 THEN 0 ELSE l.qty END AS qty,
       c.cancelled,
       CASE WHEN c.record_uuid IS NULL THEN 0 ELSE 1 END AS existing
FROM {merge_changes} c
JOIN {orders} o ON o.business_key = c.business_key
JOIN {staging_lines} l ON l._file_id = c.file_id AND l._row = c."row"
