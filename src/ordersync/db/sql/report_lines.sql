-- Per customer: size lines, and how many are on the board.
SELECT COALESCE(f.customer, o.profile, '(unknown)') AS customer, COUNT(*) AS lines,
       SUM(CASE WHEN l.monday_subitem_id IS NOT NULL THEN 1 ELSE 0 END) AS on_board
FROM {order_lines} l
JOIN {orders} o ON o.record_uuid = l.record_uuid
LEFT JOIN {ingest_files} f ON f.id = o.source_file_id
GROUP BY COALESCE(f.customer, o.profile, '(unknown)')
