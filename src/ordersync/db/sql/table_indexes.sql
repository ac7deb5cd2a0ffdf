-- PostgreSQL: a table's indexes, each with how to create it again; a primary key or unique
-- constraint is named with its definition (it is dropped and added as a constraint).
SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition,
       c.conname AS constraint_name, pg_get_constraintdef(c.oid) AS constraint_definition
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
WHERE x.indrelid = CAST(:table AS regclass)
ORDER BY i.relname
