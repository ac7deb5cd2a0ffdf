"""Database access: the Database seam, the schema and its evolution, SQL files, URLs.

``Database`` is loaded on first use, so ``ordersync.db.url`` (which the config
needs) does not pull in the database module, nor the database module the config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ordersync.db.database import Database, open_database

__all__ = ["Database", "open_database"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ordersync.db import database

        return getattr(database, name)
    raise AttributeError(f"module 'ordersync.db' has no attribute {name!r}")
