-- The files whose last ingest failed, or gone from the folder, with why: the report's
-- "files needing attention".
SELECT path, COALESCE(customer, profile, '(unknown)') AS customer, status, error
FROM {ingest_files}
WHERE status IN (:failed, :missing)
ORDER BY status, path
