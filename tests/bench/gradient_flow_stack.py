"""The sigmoid-vs-ReLU comparison stacked against the same runs one by one.

Run from the repository root::

    python tests/bench/gradient_flow_stack.py [--repeat 15]
    OPENBLAS_NUM_THREADS=1 python tests/bench/gradient_flow_stack.py   # one BLAS thread

Per workload, in the same process and interleaved round by round:
``compare_activations`` as it runs now (its runs stacked, each run its own
hidden activation, model.train.batched_history) and the same call forced
onto its sequential path (one Trainer per activation, what it did before).
Both give the same histories (checked here too: the largest difference of
any gradient norm).  Reported: medians and minima over ``--repeat`` rounds
of wall-clock and CPU time, and stacked ÷ sequential; on a loaded shared
machine the minima are the steadier estimate of cost.  The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

import model.analysis.gradient_flow as gf
from model.data.datasets import make_dataset
from model.nn.spec import NetworkSpec
from model.train.trainer import TrainSettings

ROOT = Path(__file__).resolve().parents[2]


def _vanishing():
    """The shipped example: 2-8×8-1 (eight sigmoid hidden layers), circles, SGD, batch 32."""
    from app.analyze_cli import prepare

    pb = prepare(ROOT / "resources/examples/vanishing_gradients.json")
    return pb.net.spec, pb.X, pb.T, pb.settings, pb.task


def _digits():
    """A wider net where matmuls weigh more: digits 64-64-64-64-10, Adam, batch 64."""
    ds = make_dataset("digits")
    X = (ds.X - ds.X.mean(0)) / (ds.X.std(0) + 1e-8)
    spec = NetworkSpec([64, 64, 64, 64, 10], ["sigmoid"] * 3 + ["softmax"], loss="cross_entropy", seed=0)
    return spec, X, ds.T, TrainSettings(optimizer="adam", lr=1e-3, batch_size=64, seed=0), "classification"


WORKLOADS = {
    "vanishing sigmoid,relu (the panel's)": (_vanishing, ("sigmoid", "relu"), 30),
    "vanishing sigmoid,relu,tanh": (_vanishing, ("sigmoid", "relu", "tanh"), 30),
    "digits sigmoid,relu": (_digits, ("sigmoid", "relu"), 5),
}


def _run(problem, acts, epochs, stacked: bool):
    spec, X, T, s, task = problem
    real = gf._can_stack
    if not stacked:
        gf._can_stack = lambda *a: False
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        out = gf.compare_activations(spec, X, T, s, epochs=epochs, activations=acts, task=task)
        return (time.perf_counter() - t0, time.process_time() - c0), out
    finally:
        gf._can_stack = real


def measure(mode: str, repeat: int) -> dict:
    out = {"mode": mode, "workloads": {}}
    for name, (make, acts, epochs) in WORKLOADS.items():
        problem = make()
        times = {True: [], False: []}
        for r in range(repeat):
            for stacked in (True, False) if r % 2 else (False, True):
                times[stacked].append(_run(problem, acts, epochs, stacked)[0])
        a, b = _run(problem, acts, epochs, True)[1], _run(problem, acts, epochs, False)[1]
        diff = max(float(np.max(np.abs(a[k]["grad_norms"] - b[k]["grad_norms"]), initial=0.0)) for k in a)
        r = {}
        for key, stacked in (("stacked", True), ("sequential", False)):
            wall, cpu = sorted(t[0] for t in times[stacked]), sorted(t[1] for t in times[stacked])
            r[key] = {
                "wall_median_s": wall[len(wall) // 2],
                "wall_min_s": wall[0],
                "cpu_median_s": cpu[len(cpu) // 2],
            }
        r["stacked_over_sequential"] = r["stacked"]["wall_median_s"] / r["sequential"]["wall_median_s"]
        r["best_stacked_over_sequential"] = r["stacked"]["wall_min_s"] / r["sequential"]["wall_min_s"]
        r["cpu_stacked_over_sequential"] = r["stacked"]["cpu_median_s"] / r["sequential"]["cpu_median_s"]
        r["max_grad_norm_difference"] = diff
        r["load"] = os.getloadavg()[0]
        out["workloads"][name] = r
        print(_line(mode, name, r), flush=True)
    return out


def _line(mode: str, name: str, r: dict) -> str:
    st, sq = r["stacked"]["wall_median_s"], r["sequential"]["wall_median_s"]
    return (
        f"{mode:8s} {name:38s} load {r['load']:.1f}: stacked {st * 1e3:.1f} ms, sequential {sq * 1e3:.1f} ms: "
        f"stacked ÷ sequential {r['stacked_over_sequential']:.2f} (best rounds "
        f"{r['best_stacked_over_sequential']:.2f}, CPU {r['cpu_stacked_over_sequential']:.2f}); "
        f"grad norms differ by at most {r['max_grad_norm_difference']:.1e}"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="interleaved rounds (default 15)")
    repeat = max(1, ap.parse_args(argv).repeat)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        f"medians (and minima) of {repeat} interleaved rounds; BLAS threads: {threads}; load = 1-min load average"
    )
    out = measure(f"threads={threads}", repeat) | {"repeat": repeat}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
