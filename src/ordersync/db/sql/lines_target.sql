-- The lines the board should show for every stored order the merge changed: one per size
-- with qty > 0, at qty 0 when the order is cancelled.  (New orders' lines are inserted
-- directly: lines_insert_new.)
CREATE TEMP TABLE _target AS
SELECT c.record_uuid, l.size_code,
       CASE WHEN c.cancelled = 1 THEN 0 ELSE l.qty END AS qty,
       c.cancelled
FROM {merge_changes} c
JOIN {staging_lines} l ON l._file_id = c.file_id AND l._row = c."row"
WHERE c.record_uuid IS NOT NULL
