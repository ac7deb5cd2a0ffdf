-- Runs of board_id still 'running' were left by a process that died or was killed: the
-- caller holds the board's writer lock, so none of them is alive.  Closed as interrupted.
UPDATE {sync_runs} SET status = 'interrupted', finished_at = CURRENT_TIMESTAMP,
    error = COALESCE(error, 'the process ended before the run did (killed, or the machine '
                            || 'stopped); the next run reconciled what it left in doubt')
WHERE board_id = :board_id AND status = 'running'
