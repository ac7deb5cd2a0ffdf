-- Every FAILED or in-doubt (SENDING) order and line, with its latest sync event.
WITH stuck AS (
    SELECT record_uuid FROM {orders} WHERE sync_state IN (:failed, :sending)
    UNION
    SELECT record_uuid FROM {order_lines} WHERE sync_state IN (:failed, :sending)
),
last_event AS (
    SELECT e.record_uuid, COALESCE(e.size_code, '') AS size_code, MAX(e.id) AS id
    FROM {sync_events} e JOIN stuck s ON s.record_uuid = e.record_uuid
    GROUP BY e.record_uuid, COALESCE(e.size_code, '')
)
SELECT 'order' AS kind, o.record_uuid, o.business_key, o.item_name, f.customer,
       NULL AS size_code, o.sync_state, o.sync_action, o.attempts, o.last_error,
       e.error_code, e.error_message, e.operation, e.request_id, e.occurred_at
FROM {orders} o
LEFT JOIN {ingest_files} f ON f.id = o.source_file_id
LEFT JOIN last_event le ON le.record_uuid = o.record_uuid AND le.size_code = ''
LEFT JOIN {sync_events} e ON e.id = le.id
WHERE o.sync_state IN (:failed, :sending)
UNION ALL
SELECT 'line' AS kind, l.record_uuid, o.business_key, o.item_name, f.customer,
       l.size_code, l.sync_state, l.sync_action, l.attempts, l.last_error,
       e.error_code, e.error_message, e.operation, e.request_id, e.occurred_at
FROM {order_lines} l
JOIN {orders} o ON o.record_uuid = l.record_uuid
LEFT JOIN {ingest_files} f ON f.id = o.source_file_id
LEFT JOIN last_event le ON le.record_uuid = l.record_uuid AND le.size_code = l.size_code
LEFT JOIN {sync_events} e ON e.id = le.id
WHERE l.sync_state IN (:failed, :sending)
ORDER BY 5, 3, 6
