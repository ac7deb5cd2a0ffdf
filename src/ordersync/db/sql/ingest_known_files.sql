-- Every file an ingest has recorded: how it stood and what it was (content hash, config
-- fingerprint, and the object's etag / size / last-modified as listed when it was read).
SELECT id, path, profile, status, content_hash, config_hash, source_etag, source_size, source_modified
FROM {ingest_files}
