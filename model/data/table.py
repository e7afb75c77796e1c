"""CSV tables: the public names in one place.

One concept per module: :mod:`model.data.table_columns` (the columnar
:class:`Table`), :mod:`model.data.csv_reader` (the streaming parser,
:func:`read_table`, :func:`read_preview`) and :mod:`model.data.table_dataset`
(:func:`table_to_dataset`: typing, dropping rows with missing values, one-hot
encoding).  Everything is re-exported here, so ``from model.data.table import
read_table, table_to_dataset`` keeps working.
"""

from __future__ import annotations

from model.data.csv_reader import CHUNK_CELLS, DEFAULT_MAX_BYTES, read_preview, read_table
from model.data.table_columns import (
    MISSING,
    MISSING_TOKENS,
    Cancelled,
    Column,
    ColumnBuilder,
    Table,
    format_number,
    is_missing,
    parse_float,
)
from model.data.table_dataset import TASKS, table_to_dataset

__all__ = [
    "Table",
    "Column",
    "ColumnBuilder",
    "Cancelled",
    "read_table",
    "read_preview",
    "table_to_dataset",
    "is_missing",
    "parse_float",
    "format_number",
    "MISSING",
    "MISSING_TOKENS",
    "TASKS",
    "CHUNK_CELLS",
    "DEFAULT_MAX_BYTES",
]
