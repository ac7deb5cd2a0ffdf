-- A run's end: its status and real counts.
UPDATE {sync_runs} SET status = :status, finished_at = CURRENT_TIMESTAMP,
    requests = :requests, complexity = :complexity, succeeded = :succeeded,
    failed = :failed, error = :error
WHERE id = :id
