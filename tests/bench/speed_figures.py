"""Every training-throughput figure of issue 17 (points 1–3) against its target, in one run.

Run from the repository root::

    python tests/bench/speed_figures.py [--repeat 3] [--quick]

Runs ``batched_runs.py`` (16-rate sweeps: stacked ÷ one run) and
``train_speed.py`` (ours ÷ plain NumPy, wide share of matmul peak, MNIST-size
epoch ÷ PyTorch) one after the other, each figure in both thread modes
(``default`` and ``1thread``), every ratio against a reference measured in
the same interleaved rounds (medians).  Prints one table — figure, measured,
target, met or missed, the 1-minute load average while it was measured — and
one JSON line last.  ``--quick`` leaves out the MNIST-size workload (~2 of the
~12 minutes).  The GUI figures of issue 17 (stalls, start-up, memory, the
throughput kept with the GUI open) are ``gui_responsiveness.py``'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _run(script: str, args: list[str]) -> dict:
    """Run a bench script, echo its lines, return its last (JSON) line."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / script), *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    last = ""
    for line in proc.stdout:
        if line.startswith("{"):
            last = line
        else:
            print("  " + line.rstrip(), flush=True)
    proc.wait()
    return json.loads(last) if last else {}


def _sweep_figures(out: dict) -> list[dict]:
    rows = []
    for mode, res in (out.get("modes") or {}).items():
        for name, r in ((res or {}).get("workloads") or {}).items():
            if r["target"] is None:
                continue
            rows.append(
                {
                    "figure": f"{name} 16-rate sweep {mode}: stacked / one run",
                    "measured": r["stacked_over_one"],
                    "cpu_measured": r["cpu_stacked_over_one"],
                    "target": r["target"],
                    "at_most": True,
                    "unit": "×",
                    "verdict": "ok" if r["ok"] else "MISSED",
                    "load": r["load"],
                }
            )
    return rows


def _fmt(v, unit: str) -> str:
    if v is None:
        return "n/a"
    return f"{100 * v:.0f} %" if unit == "" else f"{v:.2f}{unit}"


def main(argv: list[str]) -> int:
    repeat = argv[argv.index("--repeat") + 1] if "--repeat" in argv else "3"
    print("== stacked runs (batched_runs.py)", flush=True)
    sweeps = _run("batched_runs.py", ["--repeat", repeat])
    print("== training speed (train_speed.py)", flush=True)
    names = ["tiny", "digits", "wide"] + ([] if "--quick" in argv else ["mnist"])
    speed = _run("train_speed.py", ["--repeat", repeat, *names])
    rows = _sweep_figures(sweeps) + speed.get("figures", [])
    print()
    print("wall = wall-clock medians (the verdict); cpu = the same ratio in CPU seconds, which waiting")
    print("for a core on a loaded machine does not inflate (exact for the 1thread rows)")
    print(f"{'figure':58s} {'wall':>7s} {'cpu':>7s}  {'target':>8s}  {'':6s} load")
    for r in rows:
        op = "≤" if r["at_most"] else "≥"
        print(
            f"{r['figure']:58s} {_fmt(r['measured'], r['unit']):>7s} {_fmt(r.get('cpu_measured'), r['unit']):>7s}  "
            f"{op} {_fmt(r['target'], r['unit']):>6s}  {r['verdict']:6s} {r['load']:.1f}"
        )
    met = sum(r["verdict"] == "ok" for r in rows)
    print(f"{met} of {len(rows)} figures met")
    print(json.dumps({"figures": rows, "batched_runs": sweeps, "train_speed": speed}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
