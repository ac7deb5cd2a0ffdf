-- Per customer: orders by sync state and action, lines, and the last change.
SELECT COALESCE(f.customer, o.profile, '(unknown)') AS customer, o.sync_state, o.sync_action,
       COUNT(*) AS orders, MAX(o.changed_at) AS last_change
FROM {orders} o
LEFT JOIN {ingest_files} f ON f.id = o.source_file_id
GROUP BY COALESCE(f.customer, o.profile, '(unknown)'), o.sync_state, o.sync_action
