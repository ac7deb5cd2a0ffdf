-- Unchanged orders found at a new place (moved rows or files) or back after removal:
-- follow them without touching their content or sync state.
UPDATE {orders} SET
    source_file_id = s._file_id,
    source_file = f.path,
    source_sheet = s._sheet,
    source_row = s._row,
    change_kind = CASE WHEN {orders}.removed_at IS NULL THEN {orders}.change_kind
                       ELSE 'UNCHANGED' END,
    removed_at = NULL
FROM _winners w
JOIN {staging_orders} s ON s._file_id = w._file_id AND s._row = w._row
JOIN {ingest_files} f ON f.id = s._file_id
WHERE w.rank = 1
  AND {orders}.business_key = s._key
  AND {orders}.row_hash = s._hash
  AND ({orders}.source_file_id {distinct} s._file_id
       OR {orders}.source_row {distinct} s._row
       OR {orders}.source_sheet {distinct} s._sheet
       OR {orders}.removed_at IS NOT NULL)
