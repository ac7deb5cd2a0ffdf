-- Past ingest and sync runs, newest first (the newest of each table; merged by the caller).
SELECT 'ingest' AS kind, id, status, started_at, finished_at,
       files_read, files_skipped, files_failed, rows_read, rows_staged, rows_rejected,
       orders_written, lines_written,
       NULL AS board_id, 0 AS requests, 0 AS complexity, 0 AS mutations, 0 AS budget_waits,
       0 AS waited_seconds, 0 AS succeeded, 0 AS failed, NULL AS counts, error
FROM (SELECT * FROM {ingest_runs} ORDER BY id DESC LIMIT :limit) i
UNION ALL
SELECT 'sync' AS kind, id, status, started_at, finished_at,
       0, 0, 0, 0, 0, 0, NULL, NULL,
       board_id, requests, complexity, mutations, budget_waits, waited_seconds,
       succeeded, failed, counts, error
FROM (SELECT * FROM {sync_runs} ORDER BY id DESC LIMIT :limit) s
