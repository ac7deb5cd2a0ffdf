-- Every rejected row still standing (a re-read file replaces its own), with its customer.
SELECT r.file, r.sheet, r."row", r."column", r.raw_value, r.reason, r.business_key,
       f.customer, f.profile, r.rejected_at
FROM {rejected_rows} r
LEFT JOIN {ingest_files} f ON f.id = r.file_id
ORDER BY r.file, r.reason, r.sheet, r."row", r."column"
