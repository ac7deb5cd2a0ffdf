-- New and changed orders: insert or overwrite their business columns.  record_uuid is
-- generated once and never changed; an in-doubt (SENDING) order stays SENDING so the
-- sync reconciles it before anything else.
INSERT INTO {orders} (record_uuid, business_key, profile, source_file_id, source_file,
                      source_sheet, source_row, row_hash, is_cancelled, group_name, item_name,
                      change_kind, sync_state, sync_action, attempts, last_error, changed_at,
                      removed_at {insert_columns})
SELECT COALESCE(c.record_uuid, {uuid}), s._key, f.profile, s._file_id, f.path, s._sheet,
       s._row, s._hash, s._cancelled, s._group, s._item, c.kind,
       CASE WHEN c.old_state = :sending THEN :sending ELSE :pending END,
       CASE WHEN c.kind = 'CANCELLED' THEN 'CANCEL'
            WHEN c.monday_item_id IS NULL THEN 'CREATE'
            ELSE 'UPDATE' END,
       0, NULL, {now}, NULL {select_columns}
FROM {merge_changes} c
JOIN {staging_orders} s ON s._file_id = c.file_id AND s._row = c."row"
JOIN {ingest_files} f ON f.id = s._file_id
WHERE true
ON CONFLICT (business_key) DO UPDATE SET
    profile = excluded.profile, source_file_id = excluded.source_file_id,
    source_file = excluded.source_file, source_sheet = excluded.source_sheet,
    source_row = excluded.source_row, row_hash = excluded.row_hash,
    is_cancelled = excluded.is_cancelled, group_name = excluded.group_name,
    item_name = excluded.item_name, change_kind = excluded.change_kind,
    sync_state = excluded.sync_state, sync_action = excluded.sync_action,
    attempts = 0, last_error = NULL, changed_at = excluded.changed_at, removed_at = NULL
    {update_columns}
