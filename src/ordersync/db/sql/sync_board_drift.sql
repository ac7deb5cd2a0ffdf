-- What the newest verify pass found differing that a repair puts right (extras people made
-- are only reported, so they are left out): while any, no sync reports success.  All rows
-- of one pass (one per routed board) share its start time.
SELECT COALESCE(SUM({repairable}), 0) AS differences, MAX(finished_at) AS finished_at
FROM {verify_runs}
WHERE status = 'differs'
  AND started_at = (SELECT MAX(started_at) FROM {verify_runs})
