-- Rows staged from files waiting for merge, ranked within their business key.
-- Rank 1 wins; the order is (file path, sheet, row) — descending for the "last" rule.
-- The orders of files not read again this time (merged: read well last time) compete too
-- (``_stored``), at the place they were read from: an order in two files keeps the row the
-- rule picks when only one of the files is read again (a re-read loser never displaces the
-- winner), and a stored order that loses to a new row becomes a duplicate reject like any
-- other loser.  A rejected row holding the key (``_stored`` 2: a bad cell, a bad total)
-- keeps its place too: when the rule picks it, no row of the key wins — the order keeps
-- what it had (a new one waits) and the key's other rows are rejected as duplicates naming
-- it — instead of an earlier row the customer had corrected taking over in silence.
CREATE TEMP TABLE _winners AS
SELECT c._file_id, c._row, c._key, c._sheet, c._stored,
       ROW_NUMBER() OVER (
           PARTITION BY c._key
           ORDER BY c.path {direction}, c._sheet {direction}, c._row {direction}
       ) AS rank
FROM (
    SELECT s._file_id, s._row, s._key, s._sheet, f.path, 0 AS _stored
    FROM {staging_orders} s
    JOIN {ingest_files} f ON f.id = s._file_id
    WHERE f.status = :staged
    UNION ALL
    SELECT DISTINCT o.source_file_id, o.source_row, o.business_key, o.source_sheet, f.path, 1
    FROM {staging_orders} s
    JOIN {ingest_files} sf ON sf.id = s._file_id
    JOIN {orders} o ON o.business_key = s._key
    JOIN {ingest_files} f ON f.id = o.source_file_id
    WHERE sf.status = :staged
      AND f.status = :merged
      AND o.removed_at IS NULL
      -- not an order whose own row was since rejected (it stays, but its row is no
      -- longer a row of its file)
      AND NOT EXISTS (SELECT 1 FROM {rejected_rows} r
                      WHERE r.file_id = o.source_file_id AND r."row" = o.source_row)
    UNION ALL
    SELECT DISTINCT r.file_id, r."row", r.business_key, r.sheet, f.path, 2
    FROM {rejected_rows} r
    JOIN {ingest_files} f ON f.id = r.file_id
    WHERE f.status IN (:staged, :merged)
      AND r.reason NOT LIKE 'duplicate key:%'
      AND r.business_key IN (SELECT s._key FROM {staging_orders} s
                             JOIN {ingest_files} sf ON sf.id = s._file_id
                             WHERE sf.status = :staged)
) c
