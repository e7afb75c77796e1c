"""CSV import dialog: the longest GUI-thread stall while a wide file loads and
while its column roles change (issue 13: 11.5 s at 4,097 columns, more than
300 s at 100,000 columns, before).

Run from the repository root::

    QT_QPA_PLATFORM=offscreen python tests/bench/csv_dialog_stall.py
    QT_QPA_PLATFORM=offscreen python tests/bench/csv_dialog_stall.py --columns 4097 100000

Each width runs in a fresh subprocess: a 10 ms QTimer heartbeat runs while
the dialog is opened, the file is read in the background, and then five role
changes are made one after another, each waited for (its background check);
the longest gap between beats is the longest stall (it includes the 10 ms
interval).  ``open`` is the constructor (header + preview on the GUI thread),
``loading`` the rest of the read, ``per_change`` the longest stall of a role
change.  The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from widgets.dialogs.csv_import_dialog import CsvImportDialog

app = QApplication([])
beats = []
timer = QTimer()
timer.setInterval(10)
timer.timeout.connect(lambda: beats.append(time.perf_counter()))

def longest(since):
    b = [since] + [t for t in beats if t >= since] + [time.perf_counter()]
    return max(y - x for x, y in zip(b, b[1:]))

def wait(d):
    while d.loading or d.checking:
        app.processEvents()
        time.sleep(0.002)

timer.start()
t0 = time.perf_counter()
d = CsvImportDialog(sys.argv[1])
t_open = time.perf_counter() - t0
d.show()
t1 = time.perf_counter()
wait(d)
loading, t_loaded = longest(t1), time.perf_counter() - t0
names = d.columns_model.names
per_change = 0.0
for col, role in ((names[0], "ignore"), (names[1], "ignore"), (names[0], "input"), (names[2], "ignore"), (names[1], "input")):
    t = time.perf_counter()
    d.set_role(col, role)
    wait(d)
    per_change = max(per_change, longest(t))
ok = d.ok_button.isEnabled()
d.reject()
print(json.dumps({"open_s": t_open, "loading_stall_s": loading, "loaded_after_s": t_loaded,
                  "per_change_stall_s": per_change, "import_enabled": ok}))
"""


def make_csv(path: Path, columns: int, rows: int = 20) -> None:
    with open(path, "w") as f:
        f.write(",".join(f"c{j}" for j in range(columns - 1)) + ",y\n")
        for i in range(rows):
            f.write(",".join(str((i * 7 + j) % 10) for j in range(columns - 1)) + f",{i % 2}\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--columns", type=int, nargs="+", default=[4097, 100_000])
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    args = ap.parse_args()
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for n in args.columns:
            p = Path(d) / f"w{n}.csv"
            make_csv(p, n)
            env = dict(os.environ, PYTHONPATH=args.repo, QT_QPA_PLATFORM="offscreen")
            res = subprocess.run(
                [sys.executable, "-c", CHILD, str(p), args.repo],
                capture_output=True,
                text=True,
                env=env,
                timeout=1800,
                check=False,
            )
            if res.returncode != 0:
                print(res.stderr, file=sys.stderr)
                sys.exit(1)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            out[str(n)] = r
            print(
                f"{n:,} columns × 20 rows: open {r['open_s'] * 1000:.0f} ms, longest stall while loading "
                f"{r['loading_stall_s'] * 1000:.0f} ms (loaded after {r['loaded_after_s']:.1f} s), "
                f"longest stall per role change {r['per_change_stall_s'] * 1000:.0f} ms"
            )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
