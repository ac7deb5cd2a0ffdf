-- Rows staged from files waiting for merge, ranked within their business key.
-- Rank 1 wins; the order is (file path, sheet, row) — descending for the "last" rule.
CREATE TEMP TABLE _winners AS
SELECT s._file_id, s._row, s._key,
       ROW_NUMBER() OVER (
           PARTITION BY s._key
           ORDER BY f.path {direction}, s._sheet {direction}, s._row {direction}
       ) AS rank
FROM {staging_orders} s
JOIN {ingest_files} f ON f.id = s._file_id
WHERE f.status = :staged
