-- Every row that lost to another row with the same business key becomes a reject
-- naming the row that was kept (a stored order's row too, in the file it was read from),
-- or the rejected row the rule picked (then no row of the key was kept).  A rejected row
-- that loses stays rejected for its own reason.
INSERT INTO {rejected_rows} (file_id, file, sheet, "row", "column", raw_value, reason, business_key)
SELECT l._file_id, lf.path, l._sheet, l._row, NULL, NULL,
       CASE WHEN w._stored = 2
            THEN 'duplicate key: row ' || CAST(w._row AS TEXT) || ' of ' || wf.path
                 || ' holds this key and was rejected (' || :rule
                 || '); correct that row and the order takes its values'
            ELSE 'duplicate key: row ' || CAST(w._row AS TEXT) || ' of ' || wf.path
                 || ' was kept (' || :rule || ')' END,
       l._key
FROM _winners l
JOIN _winners w ON w._key = l._key AND w.rank = 1
JOIN {ingest_files} lf ON lf.id = l._file_id
JOIN {ingest_files} wf ON wf.id = w._file_id
WHERE l.rank > 1 AND l._stored < 2
