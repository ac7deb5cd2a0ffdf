-- moves: NEW ADDED
-- Orders seen for the first time, with the record_uuid merge_changes gave them.
INSERT INTO {orders} (record_uuid, business_key, profile, source_file_id, source_file,
                      source_sheet, source_row, row_hash, is_cancelled, group_name, item_name,
                      change_kind, sync_state, sync_action, attempts, changed_at
                      {insert_columns})
SELECT c.new_uuid, s._key, f.profile, s._file_id, f.path, s._sheet, s._row, s._hash,
       s._cancelled, s._group, s._item, c.kind, :pending,
       CASE WHEN c.kind = 'CANCELLED' THEN 'CANCEL' ELSE 'CREATE' END, 0, {now}
       {select_columns}
FROM {merge_changes} c
JOIN {staging_orders} s ON s._file_id = c.file_id AND s._row = c."row"
JOIN {ingest_files} f ON f.id = s._file_id
WHERE c.record_uuid IS NULL
