"""CSV import: peak memory and time of reading a ~150 MB CSV into a data set.

Run from the repository root::

    python tests/bench/csv_import.py              # ~150 MB file in a temp dir
    python tests/bench/csv_import.py --mb 20      # a smaller file
    python tests/bench/csv_import.py --repo /work/main   # measure another checkout

The file has 15 numeric input columns and a numeric target (values like
``0.123456789``).  The import (``read_table`` + ``table_to_dataset``, what
the CSV dialog and ``mlp-studio train`` do) runs in a fresh subprocess; its
peak resident memory is ``ru_maxrss`` minus the resident memory just before
reading (the interpreter and NumPy), its time the wall clock of the import.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from model.data.table import read_table, table_to_dataset
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
t = read_table(sys.argv[1], max_bytes=1 << 30)
cols = t.columns
ds, dropped = table_to_dataset(t, cols[:-1], cols[-1:], "regression")
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "peak_mib": (peak - base) / 1024, "rows": ds.n_samples,
                  "result_mib": (ds.X.nbytes + ds.T.nbytes) / 2**20}))
"""


def make_csv(path: Path, mb: float) -> None:
    rng = np.random.default_rng(0)
    cols = 16
    row_bytes = cols * 12
    rows = int(mb * 1e6 / row_bytes)
    with open(path, "w") as f:
        f.write(",".join([f"x{i + 1}" for i in range(cols - 1)] + ["y"]) + "\n")
        for start in range(0, rows, 100_000):
            block = rng.random((min(100_000, rows - start), cols))
            np.savetxt(f, block, fmt="%.9f", delimiter=",")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=150.0)
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "big.csv"
        make_csv(path, args.mb)
        size = path.stat().st_size
        env = dict(os.environ, PYTHONPATH=args.repo)
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), args.repo],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
        )
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            sys.exit(1)
        out = json.loads(res.stdout.strip().splitlines()[-1])
    out["file_mib"] = size / 2**20
    out["peak_over_result"] = out["peak_mib"] / out["result_mib"]
    print(
        f"{size / 2**20:.0f} MiB CSV, {out['rows']:,} rows: {out['seconds']:.1f} s, "
        f"peak +{out['peak_mib']:.0f} MiB ({out['peak_over_result']:.1f}× the numeric result)"
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
