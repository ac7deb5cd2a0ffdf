"""What a business column is — its kind and value type — without the schema machinery.

The ingest types and hashes cells by these before any table is touched; keeping them
apart from ``db.schema`` lets it start reading workbooks while SQLAlchemy still loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["descriptive", "size"]
ValueType = Literal["text", "date", "decimal", "integer"]


@dataclass(frozen=True)
class ColumnRequest:
    """A column a file brings: its label, kind and value type."""

    label: str
    kind: ColumnKind
    value_type: ValueType
