-- A file's rows are all loaded: record its counts, what it was read from, and that it is
-- staged (until now it was 'loading', so a crash before this line discards its rows).
UPDATE {ingest_files}
SET status = :status, error = NULL, content_hash = :content_hash, config_hash = :config_hash,
    sheet = :sheet, header_row = :header_row, rows_read = :read, rows_staged = :staged,
    rows_rejected = :rejected, rows_blank = :blank, merged_at = NULL,
    source_etag = :etag, source_size = :size, source_modified = :modified,
    ingested_at = CURRENT_TIMESTAMP
WHERE id = :id
