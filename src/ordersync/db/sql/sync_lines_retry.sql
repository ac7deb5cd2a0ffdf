-- moves: FAILED RETRY
-- --retry-failed: FAILED lines of the orders in scope back to PENDING.
UPDATE {order_lines} SET sync_state = :to_RETRY, attempts = 0
WHERE sync_state IN :from_states
  AND record_uuid IN (SELECT o.record_uuid FROM {orders} o WHERE 1 = 1{scope})
