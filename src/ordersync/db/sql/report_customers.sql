-- Per customer: files and their rows (from the latest ingest of each file).
SELECT COALESCE(customer, profile, '(unknown)') AS customer,
       COUNT(*) AS files,
       SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS files_failed,
       SUM(rows_read) AS rows_read, SUM(rows_staged) AS rows_staged,
       SUM(rows_rejected) AS rows_rejected
FROM {ingest_files}
GROUP BY COALESCE(customer, profile, '(unknown)')
