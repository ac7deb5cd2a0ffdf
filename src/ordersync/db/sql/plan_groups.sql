-- Groups the next sync needs that the registry does not know for this board
-- (ordersync plan; read-only).  Orders with nothing to do need no group.
SELECT DISTINCT o.group_name
FROM {orders} o
WHERE o.sync_state = :pending
  AND o.group_name IS NOT NULL
  AND ((o.sync_action = 'CREATE' AND o.removed_at IS NULL) OR o.sync_action = 'UPDATE'
       OR (o.sync_action = 'CANCEL' AND o.monday_item_id IS NOT NULL))
  {registered}
