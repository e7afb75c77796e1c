"""model.data.table is split by concept (columns, streaming reader, to a data
set); its public names stay importable from it, and the table -> data set
step can be stopped between columns."""

from __future__ import annotations

import pytest

from model.data import csv_reader, table, table_columns, table_dataset


def test_public_names_are_re_exported_from_model_data_table():
    assert table.read_table is csv_reader.read_table
    assert table.read_preview is csv_reader.read_preview
    assert table.table_to_dataset is table_dataset.table_to_dataset
    assert table.Table is table_columns.Table and table.Cancelled is table_columns.Cancelled
    for name in table.__all__:
        assert getattr(table, name) is not None


def test_table_to_dataset_stops_between_columns_when_asked():
    cols = [f"c{j}" for j in range(2000)]
    t = table.read_table(
        ",".join(cols) + "\n" + ",".join(["1"] * 2000) + "\n" + ",".join(["2"] * 2000) + "\n"
    )
    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) >= 2

    with pytest.raises(table.Cancelled):
        table.table_to_dataset(t, cols[:-1], cols[-1:], should_stop=should_stop)
    assert len(asked) == 2  # polled every few hundred columns, not per column
    ds, dropped = table.table_to_dataset(t, cols[:-1], cols[-1:], should_stop=lambda: False)
    assert ds.X.shape == (2, 1999) and ds.X[1, 5] == 2.0 and dropped == 0
