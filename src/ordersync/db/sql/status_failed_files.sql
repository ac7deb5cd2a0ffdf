-- The files whose last ingest failed, with why (the first few), for `ordersync status`.
SELECT path, error FROM {ingest_files}
WHERE status = :failed
ORDER BY path
LIMIT :limit
