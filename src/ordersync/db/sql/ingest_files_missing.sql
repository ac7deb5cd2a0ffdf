-- Files no configured folder lists any more.  Their orders stay as they are unless
-- sources.missing_files = "remove" (merge_removed.sql).
UPDATE {ingest_files}
SET status = :missing, source_etag = NULL, source_size = NULL, source_modified = NULL
WHERE id IN :ids
