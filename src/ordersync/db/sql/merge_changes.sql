-- Winning rows that are new, or whose content or names differ from the stored order.
-- A new order's record_uuid is generated here, once, and never changes.
INSERT INTO {merge_changes} (business_key, file_id, "row", cancelled, kind, record_uuid,
                             monday_item_id, old_state, new_uuid)
SELECT s._key, s._file_id, s._row, s._cancelled,
       CASE WHEN o.record_uuid IS NULL AND s._cancelled = 0 THEN 'NEW'
            WHEN s._cancelled = 1 THEN 'CANCELLED'
            ELSE 'CHANGED' END,
       o.record_uuid, o.monday_item_id, o.sync_state,
       CASE WHEN o.record_uuid IS NULL THEN {uuid} END
FROM _winners w
JOIN {staging_orders} s ON s._file_id = w._file_id AND s._row = w._row
LEFT JOIN {orders} o ON o.business_key = s._key
WHERE w.rank = 1
  AND (o.record_uuid IS NULL
       OR o.row_hash <> s._hash
       OR o.is_cancelled <> s._cancelled
       OR o.group_name {distinct} s._group
       OR o.item_name {distinct} s._item)
