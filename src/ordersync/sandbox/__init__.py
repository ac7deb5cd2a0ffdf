"""A local, monday.com-compatible GraphQL API for tests, the demo and trying a config (issue #3).

Work in progress: the pieces below are built and tested on their own; the
request executor, the ASGI app and ``ordersync sandbox`` come next.

    errors.py   monday's error wire format (codes, HTTP statuses, payloads)
    schema.py   the subset of monday's schema the sandbox serves; document validation
    columns.py  column types and their value formats (validate, normalise, render)
    store.py    boards, groups, items, subitems and column values; JSON state; inspection
    limits.py   complexity, minute, daily and concurrency limits on an injectable clock
    faults.py   scripted or random fault injection (5xx, 423, 429, timeouts after apply)
"""
