-- Orders of files gone from the folder (sources.missing_files = "remove") are flagged
-- REMOVED; they are never deleted, and come back if their file does.
UPDATE {orders} SET change_kind = 'REMOVED', removed_at = {now}
WHERE removed_at IS NULL
  AND source_file_id IN (SELECT id FROM {ingest_files} WHERE status = :missing)
