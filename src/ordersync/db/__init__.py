"""Database access: the Database seam, the schema and its evolution, SQL files."""

from ordersync.db.database import Database

__all__ = ["Database"]
