-- Of the orders asked about, those gone from their file that are not on the board: they are
-- not sent (as sync_select_work leaves them out), not even when a heal within the run has
-- just found their item deleted and queued it to be created again.
SELECT o.record_uuid FROM {orders} o
WHERE o.record_uuid IN :uuids
  AND {held_back}
