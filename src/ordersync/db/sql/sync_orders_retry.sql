-- moves: FAILED RETRY
-- --retry-failed: FAILED orders in scope back to PENDING with a fresh count of attempts.
UPDATE {orders} SET sync_state = :to_RETRY, attempts = 0
WHERE sync_state IN :from_states
  AND record_uuid IN (SELECT o.record_uuid FROM {orders} o WHERE 1 = 1{scope})
