"""A local, monday.com-compatible GraphQL API for tests, the demo and trying a config (issue #3).

    from ordersync.sandbox import Sandbox
    sandbox = Sandbox(clock=FakeClock(), faults="ok,timeout_after_apply")
    ids = sandbox.create_order_board()
    client = httpx.AsyncClient(transport=sandbox.transport(), base_url="https://api.monday.com")
    ...  # POST /v2 as to api.monday.com; inspect with sandbox.board(ids.board_id)

    errors.py   monday's error wire format (codes, HTTP statuses, payloads)
    schema.py   monday's whole published schema (schema.graphql); document validation
    columns.py  column types and their value formats (validate, normalise, render)
    column_defs.py    what a column is (kinds, labels, settings); column-value errors
    column_values.py  stored column values, their state-file JSON, the per-type writers
    store.py    item operations, pages and the JSON state of the account (``Store``)
    store_base.py  the store's records, lookups and shared steps
    groups.py   create/update/archive/delete groups
    boards.py   create/duplicate boards, move items between boards, subitems boards
    inspection.py  what a planner sees on a board (``Store.snapshot``)
    item_queries.py  items_page query_params: rules, and/or, order_by
    model.py    the store's records: boards, groups, items, item states, order-board ids
    paging.py   items_page / next_items_page: page sizes, cursors, which items a page shows
    persistence.py  the state file's JSON for boards and items
    refusals.py the errors the store raises (unknown ids, names, items limit, …)
    clock.py    the injectable clock (a minute passes instantly in tests)
    limits.py   complexity, minute, daily and concurrency limits on that clock
    costs.py    what a request costs in complexity points
    idempotency.py  the Idempotency-Key cache (replays, conflicts, expiry)
    faults.py   scripted or random fault injection (5xx, 423, 429, timeouts after apply)
    fault_specs.py  reading whole fault plans (scripts, seeded rates, TOML tables)
    executor.py validate, price and execute a document against the store (graphql-core)
    resolvers.py  the field resolvers the executor runs (queries and fields)
    mutations.py  the mutations modelled; NOT_SUPPORTED_BY_SANDBOX for the others
    account.py  the fixed user, account, workspace and folder; users/workspaces/folders
    shapes.py   the documented shape of a field the sandbox does not model
    call_limits.py  40 create_board / duplicate_board a minute
    app.py      ``Sandbox``: the request pipeline, ``POST /v2`` (Starlette), transports, state
    server.py   ``ordersync sandbox``: uvicorn, the ``[monday]`` snippet, clean shutdown
"""

from ordersync.sandbox.app import ResponseDropped, Sandbox
from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.idempotency import IdempotencyPolicy, KeyReuse
from ordersync.sandbox.store import ITEMS_PER_BOARD, OrderBoard

__all__ = ["ITEMS_PER_BOARD", "FakeClock", "IdempotencyPolicy", "KeyReuse", "OrderBoard",
           "ResponseDropped", "Sandbox"]
