-- Distinct customer, season (as the files wrote it) and group of the live orders, for the
-- look-alike names check of ordersync plan (read-only).
SELECT DISTINCT {customer} AS customer, {season} AS season, o.group_name
FROM {orders} o
WHERE o.removed_at IS NULL
  AND o.group_name IS NOT NULL
