-- Items the next sync would touch, per customer and group (ordersync plan; read-only).
-- A CANCEL without an item id never reached the board: nothing to do; nor is a CREATE of
-- an order gone from its file before it reached the board.
SELECT {customer} AS customer, o.profile, o.group_name,
       SUM(CASE WHEN o.sync_state = :pending AND o.sync_action = 'CREATE'
                     AND o.removed_at IS NULL THEN 1 ELSE 0 END) AS items_create,
       SUM(CASE WHEN o.sync_state = :pending AND o.sync_action = 'UPDATE'
                THEN 1 ELSE 0 END) AS items_update,
       SUM(CASE WHEN o.sync_state = :pending AND o.sync_action = 'CANCEL'
                     AND o.monday_item_id IS NOT NULL THEN 1 ELSE 0 END) AS items_cancel,
       SUM(CASE WHEN o.sync_state = :pending
                     AND NOT ((o.sync_action = 'CREATE' AND o.removed_at IS NULL)
                              OR o.sync_action = 'UPDATE'
                              OR (o.sync_action = 'CANCEL' AND o.monday_item_id IS NOT NULL))
                THEN 1 ELSE 0 END) AS nothing_to_do,
       SUM(CASE WHEN o.sync_state = :failed THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN o.sync_state = :sending THEN 1 ELSE 0 END) AS in_doubt
FROM {orders} o
WHERE o.sync_state IN (:pending, :failed, :sending)
GROUP BY 1, 2, 3
