-- The orders uuids in state, with the order columns the mapping reads.
SELECT record_uuid, business_key, group_name, item_name, is_cancelled, sync_state,
       sync_action, monday_item_id, monday_group_id, row_hash, synced_values, sent_values,
       sent_hash, attempts, changed_at{extra}
FROM {orders}
WHERE sync_state = :state AND record_uuid IN :uuids
ORDER BY group_name, item_name, record_uuid
