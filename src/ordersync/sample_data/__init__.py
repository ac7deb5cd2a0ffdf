"""Realistic sample order-list workbooks for demos, tests and benchmarks.

This package owns the sample-data generator used by ``ordersync sample-data``,
``ordersync demo``, the test suite and the benchmark: ~40 customers, each with
its own layout and quirks (title rows, MASTER sheets, header spellings, blank
rows, dates as cells / serials / text, numbers as text, duplicates, cancelled
orders, CSV delivery, ``TBC`` / ``-`` placeholders, and a few typo cells the
product must reject, listed in ``SampleDataSet.bad_cells``), one row per order
and one column per size.

Public API: ``generate_sample_data``, ``mutate_sample_data`` and the records
``SampleDataSet`` / ``CustomerProfileSpec``; the column catalogue lives in
``ordersync.sample_data.columns``.
"""

from __future__ import annotations

from .columns import (
    DATE_COLUMNS,
    DECIMAL_COLUMNS,
    DESCRIPTIVE_COLUMNS,
    INTEGER_COLUMNS,
    KEY_COLUMNS,
    ColumnSpec,
    normalise_header,
)
from .dataset import CustomerProfileSpec, SampleDataSet
from .generator import generate_sample_data, mutate_sample_data
from .sizes import BUILTIN_SIZE_LABELS

__all__ = [
    "BUILTIN_SIZE_LABELS",
    "DATE_COLUMNS",
    "DECIMAL_COLUMNS",
    "DESCRIPTIVE_COLUMNS",
    "INTEGER_COLUMNS",
    "KEY_COLUMNS",
    "ColumnSpec",
    "CustomerProfileSpec",
    "SampleDataSet",
    "generate_sample_data",
    "mutate_sample_data",
    "normalise_header",
]
