-- Winning rows that are new, or whose content or names differ from the stored order.
-- A new order's record_uuid is generated here, once, and never changes: a version 7 UUID
-- ({uuid}: the merge's time, then the row's place ``seq`` in (file, row) order, then random
-- bits), so the orders and lines of a first load go into their indexes in order.
INSERT INTO {merge_changes} (business_key, file_id, "row", cancelled, kind, record_uuid,
                             monday_item_id, old_state, new_uuid)
SELECT c._key, c._file_id, c._row, c._cancelled, c.kind, c.record_uuid, c.monday_item_id,
       c.sync_state, CASE WHEN c.record_uuid IS NULL THEN {uuid} END
FROM (
    SELECT s._key, s._file_id, s._row, s._cancelled,
           CASE WHEN o.record_uuid IS NULL AND s._cancelled = 0 THEN 'NEW'
                WHEN s._cancelled = 1 THEN 'CANCELLED'
                ELSE 'CHANGED' END AS kind,
           o.record_uuid, o.monday_item_id, o.sync_state,
           ROW_NUMBER() OVER (ORDER BY s._file_id, s._row) AS seq
    FROM _winners w
    JOIN {staging_orders} s ON s._file_id = w._file_id AND s._row = w._row
    LEFT JOIN {orders} o ON o.business_key = s._key
    WHERE w.rank = 1
      AND (o.record_uuid IS NULL
           OR o.row_hash <> s._hash
           OR o.is_cancelled <> s._cancelled
           OR o.group_name {distinct} s._group
           OR o.item_name {distinct} s._item)
) c
ORDER BY c.seq
