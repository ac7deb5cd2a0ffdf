"""What operators look at between runs: rejected rows, failed records, past runs.

    rejects.py   ``list_rejects``: every rejected row still standing, filtered; CSV export
    failures.py  ``list_failures``: every FAILED or in-doubt order and line, with monday's reason
    runs.py      ``list_runs``: past ingest and sync runs; ``record_ingest_run`` writes them
    render.py    rich tables (stderr) for the three listings

Read-only (bar ``record_ingest_run``): a database ordersync never wrote lists nothing.
"""
