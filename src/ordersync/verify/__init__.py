"""Verify: read the board back and compare it with the database; repair it (issue #8).

    run.py      ``run_verify``: preflight, a pass, and with ``repair`` the fix and a second pass
    board.py    the board read in pages (items with their subitems), item states by id
    compare.py  the differences kind by kind, and the repair plan for each
    store.py    the database side: what the board should hold, the repair, verify_runs
    report.py   ``Kind`` of difference, ``Finding``, ``VerifyReport``

The database is the truth.  A repair never writes to the board itself (deleting extras on
request aside): it puts records back to PENDING with the action that makes the board
right and runs the ordinary sync, so exactly-once holds as it does for every sync.
"""

from ordersync.verify.report import Finding, Kind, VerifyReport
from ordersync.verify.run import VerifyOptions, VerifyProgress, VerifyResult, run_verify

__all__ = ["Finding", "Kind", "VerifyOptions", "VerifyProgress", "VerifyReport", "VerifyResult",
           "run_verify"]
