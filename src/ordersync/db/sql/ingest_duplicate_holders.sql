-- Rows rejected as duplicates of a stored order, with the file holding that order:
-- (the rejected row's file, the order's file).  When the order's file is read again, the
-- rejected rows' files are read with it, so the ranking sees every row of the key again:
-- should the order's file no longer hold it, a duplicate's row becomes the order instead of
-- the order being flagged REMOVED while another file still holds it.
SELECT DISTINCT rf.path, sf.path
FROM {rejected_rows} r
JOIN {orders} o ON o.business_key = r.business_key
JOIN {ingest_files} rf ON rf.id = r.file_id
JOIN {ingest_files} sf ON sf.id = o.source_file_id
WHERE r."column" IS NULL
  AND r.reason LIKE 'duplicate key:%'
  AND o.removed_at IS NULL
