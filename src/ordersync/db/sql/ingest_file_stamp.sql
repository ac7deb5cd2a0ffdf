-- An object read because its etag changed whose bytes hash as before: remember the new
-- etag / size / last-modified so the next ingest does not read it again.
UPDATE {ingest_files}
SET source_etag = :etag, source_size = :size, source_modified = :modified
WHERE id = :id
