-- moves: SYNCED DATA_CHANGED, FAILED DATA_CHANGED, PENDING DATA_CHANGED, SENDING DATA_CHANGED
-- Stored orders whose content changed: overwrite their business columns and queue the
-- board change.  Never on the board yet (no item id) stays CREATE; an in-doubt (SENDING)
-- order stays SENDING so the sync reconciles it before anything else.
UPDATE {orders} SET
    profile = f.profile, source_file_id = s._file_id, source_file = f.path,
    source_sheet = s._sheet, source_row = s._row, row_hash = s._hash,
    is_cancelled = s._cancelled, group_name = s._group, item_name = s._item,
    change_kind = c.kind,
    sync_state = CASE WHEN {orders}.sync_state = :sending THEN :sending ELSE :pending END,
    sync_action = CASE WHEN c.kind = 'CANCELLED' THEN 'CANCEL'
                       WHEN {orders}.monday_item_id IS NULL THEN 'CREATE'
                       ELSE 'UPDATE' END,
    attempts = 0, last_error = NULL, changed_at = {now}, removed_at = NULL
    {update_columns}
FROM {merge_changes} c
JOIN {staging_orders} s ON s._file_id = c.file_id AND s._row = c."row"
JOIN {ingest_files} f ON f.id = s._file_id
WHERE c.record_uuid IS NOT NULL
  AND {orders}.business_key = c.business_key
