"""``mlp-studio predict PROJECT --input X.csv --output Y.csv`` (headless, no Qt).

The input CSV needs the project's input columns by name (extra columns are
ignored).  Categorical columns are one-hot encoded with the categories of the
training data, the project's saved scaler is applied, and the output CSV
holds the input columns followed by the network outputs: ``y1..yk`` for
regression, ``p(class)`` per class plus ``predicted`` for classification.
"""

from __future__ import annotations

import io

import numpy as np

from model.data import data_prep
from model.data.table import is_missing, parse_float, read_table
from model.io.csv_safe import SafeWriter
from model.io.project import atomic_write_text, load_project


def predict(args) -> int:
    project = load_project(args.project)
    if project.weights is None:
        raise ValueError(
            f"{args.project} has no trained weights; run 'mlp-studio train "
            f"{args.project} --out TRAINED.json' and predict with TRAINED.json"
        )
    train_ds, _ = data_prep.load_dataset(project.data)
    columns = input_columns(project.data, train_ds.feature_names)
    table = read_table(args.input)
    X = encode_inputs(table, columns, train_ds.feature_names)
    if X.shape[1] != project.spec.layer_sizes[0]:
        raise ValueError(
            f"the inputs give {X.shape[1]} features but the network's input layer has "
            f"{project.spec.layer_sizes[0]} neurons"
        )
    scaler = project.scaler
    if scaler is None or scaler.method != project.preprocessing or scaler.n_features != X.shape[1]:
        scaler = data_prep.prepare(project).scaler
    net = project.network()
    Y = net.predict(scaler.transform(X))
    atomic_write_text(args.output, format_output(table, columns, Y, train_ds))
    return 0


def input_columns(src, feature_names: list[str]) -> list[tuple[str, list[str] | None]]:
    """The raw input columns as ``(name, categories)``; categories None for numeric columns.

    Categorical columns appear among the training features as ``col=value``
    (one per category, sorted), numeric ones under their own name.
    """
    if src.kind == "csv":
        names = list(src.inputs)
    elif src.kind == "builtin":
        from model.data import datasets

        csv_info = getattr(datasets, "_CSV", {}).get(src.name)
        names = list(csv_info[1]) if csv_info else list(feature_names)
    else:
        names = list(feature_names)
    out = []
    for c in names:
        if c in feature_names:
            out.append((c, None))
        else:
            cats = [f[len(c) + 1 :] for f in feature_names if f.startswith(c + "=")]
            out.append((c, cats))
    encoded = [c if cats is None else f"{c}={v}" for c, cats in out for v in (cats or [None])]
    if encoded != list(feature_names):  # pragma: no cover - a data source we cannot reproduce
        raise ValueError(
            f"cannot match the input columns {names} to the training features {list(feature_names)}"
        )
    return out


def encode_inputs(table, columns, feature_names) -> np.ndarray:
    """(n, n_features) float64 from the table's cells; ValueError naming row and column."""
    missing = [c for c, _ in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{table.source}: missing input column(s) {', '.join(repr(c) for c in missing)} "
            f"(the project needs {', '.join(c for c, _ in columns)})"
        )
    if table.n_rows == 0:
        raise ValueError(f"{table.source}: no data rows")
    blocks = []
    for c, cats in columns:
        j = table.index(c)
        cells = [r[j] for r in table.rows]
        if cats is None:
            col = np.empty(len(cells))
            for i, cell in enumerate(cells):
                v = None if is_missing(cell) else parse_float(cell)
                if v is None or not np.isfinite(v):
                    what = "is missing" if is_missing(cell) else f"{cell!r} is not a finite number"
                    raise ValueError(
                        f"{table.source}, row {i + 1} (line {table.line_numbers[i]}), column {c!r}: {what}"
                    )
                col[i] = v
            blocks.append(col[:, None])
        else:
            index = {v: k for k, v in enumerate(cats)}
            oh = np.zeros((len(cells), len(cats)))
            for i, cell in enumerate(cells):
                k = index.get(cell.strip())
                if k is None:
                    what = (
                        "is missing"
                        if is_missing(cell)
                        else f"{cell.strip()!r} is not one of the training categories ({', '.join(cats)})"
                    )
                    raise ValueError(
                        f"{table.source}, row {i + 1} (line {table.line_numbers[i]}), column {c!r}: {what}"
                    )
                oh[i, k] = 1.0
            blocks.append(oh)
    return np.hstack(blocks)


def output_columns(Y: np.ndarray, ds) -> tuple[list[str], list[list[str]]]:
    """Header and per-row cells for the network outputs."""
    n, k = Y.shape
    fmt = lambda v: repr(float(v))  # noqa: E731 - exact round trip
    if ds.task == "classification" and ds.class_names:
        names = ds.class_names
        if k == 1 and len(names) == 2:
            header = [f"p({names[1]})", "predicted"]
            rows = [[fmt(y[0]), names[1] if y[0] > 0.5 else names[0]] for y in Y]
            return header, rows
        if k == len(names):
            header = [f"p({c})" for c in names] + ["predicted"]
            rows = [[fmt(v) for v in y] + [names[int(np.argmax(y))]] for y in Y]
            return header, rows
    return [f"y{i + 1}" for i in range(k)], [[fmt(v) for v in y] for y in Y]


def format_output(table, columns, Y, ds) -> str:
    idx = [table.index(c) for c, _ in columns]
    header, out_rows = output_columns(Y, ds)
    buf = io.StringIO()
    w = SafeWriter(buf)
    w.writerow([c for c, _ in columns] + header)
    for row, extra in zip(table.rows, out_rows):
        w.writerow([row[j] for j in idx] + extra)
    return buf.getvalue()
