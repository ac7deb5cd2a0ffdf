-- How many orders and lines are FAILED.
SELECT (SELECT COUNT(*) FROM {orders} WHERE sync_state = :failed) AS orders,
       (SELECT COUNT(*) FROM {order_lines} WHERE sync_state = :failed) AS lines
