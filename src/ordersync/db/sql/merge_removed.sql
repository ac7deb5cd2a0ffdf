-- Orders whose source file was re-read without them (and not merely rejected) are
-- flagged REMOVED; they are never deleted.
UPDATE {orders} SET change_kind = 'REMOVED', removed_at = {now}
WHERE removed_at IS NULL
  AND source_file_id IN (SELECT id FROM {ingest_files} WHERE status = :staged)
  AND NOT EXISTS (SELECT 1 FROM {staging_orders} s WHERE s._key = {orders}.business_key)
  AND NOT EXISTS (SELECT 1 FROM {rejected_rows} r
                  WHERE r.business_key = {orders}.business_key
                    AND r.file_id = {orders}.source_file_id)
