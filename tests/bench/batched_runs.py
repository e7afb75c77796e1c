"""A 16-rate learning-rate sweep: stacked runs against the sequential loop.

Run from the repository root::

    python tests/bench/batched_runs.py [--repeat 3]

Per workload, in the same process and interleaved: one Trainer run at the
middle rate, the 16 runs one after another (what lr_sweep did before), and
the 16 runs stacked (model.train.batched, what lr_sweep does now).  Targets
(issue 17): stacked ≤ 2× one run on circles 2-8-8-1, ≤ 6× on digits
64-128-64-10.  The best of ``--repeat`` timings; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from model.data.datasets import make_dataset
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.batched import BatchedTrainer
from model.train.trainer import Trainer, TrainSettings


def _small(data: str, batch, epochs: int) -> dict:
    """2-8-8-1 tanh/sigmoid/mse, SGD: the playground's small classifier."""
    return dict(
        data=data,
        sizes=[2, 8, 8, 1],
        acts=["tanh", "tanh", "sigmoid"],
        loss="mse",
        batch=batch,
        opt="sgd",
        lrs=(0.01, 100.0),
        epochs=epochs,
        target=2.0,
    )


def _digits(opt: str, lrs, target) -> dict:
    return dict(
        data="digits",
        sizes=[64, 128, 64, 10],
        acts=["relu", "relu", "softmax"],
        loss="cross_entropy",
        batch=32,
        opt=opt,
        lrs=lrs,
        epochs=3,
        target=target,
    )


WORKLOADS = {
    "xor": _small("xor", None, 500),
    "circles": _small("circles", None, 200),
    "circles-minibatch": _small("circles", 10, 20),
    "digits": _digits("sgd", (1e-3, 10.0), 6.0),
    # Adam's 13 whole-array passes per step cost 16× when stacked: reported, no target
    "digits-adam": _digits("adam", (1e-4, 1.0), None),
}


def _problem(w):
    ds = make_dataset(w["data"])
    X = (ds.X - ds.X.mean(0)) / (ds.X.std(0) + 1e-8)
    net = Network(NetworkSpec(w["sizes"], w["acts"], loss=w["loss"], seed=0))
    s = TrainSettings(optimizer=w["opt"], lr=0.1, batch_size=w["batch"], seed=0)
    return net, X, ds.T, s


def _one(net, X, T, s, lr, epochs):
    tr = Trainer(net.copy(), X, T, TrainSettings(**{**s.to_dict(), "lr": lr, "schedule": s.schedule}))
    tr.train(epochs)


def _timed(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    out = {"load": os.getloadavg()[0], "workloads": {}}
    print(f"load average {out['load']:.2f}")
    for name, w in WORKLOADS.items():
        net, X, T, s = _problem(w)
        lrs = np.geomspace(*w["lrs"], 16)
        mid, E = float(lrs[8]), w["epochs"]
        one, seq, stacked = [], [], []
        for _ in range(args.repeat):
            one.append(_timed(lambda: _one(net, X, T, s, mid, E)))
            seq.append(_timed(lambda: [_one(net, X, T, s, float(lr), E) for lr in lrs]))
            stacked.append(_timed(lambda: BatchedTrainer(net, X, T, s, lrs).train(E)))
        bt = BatchedTrainer(net, X, T, s, lrs)
        bt.train(E)
        r = dict(
            one_run_s=min(one),
            sequential_s=min(seq),
            stacked_s=min(stacked),
            stacked_over_one=min(stacked) / min(one),
            sequential_over_stacked=min(seq) / min(stacked),
            diverged=int((bt.diverged_at > 0).sum()),
            target=w["target"],
        )
        r["ok"] = None if w["target"] is None else r["stacked_over_one"] <= w["target"]
        out["workloads"][name] = r
        print(
            f"{name:18s} one run {r['one_run_s']:.3f} s | 16 sequential {r['sequential_s']:.3f} s | "
            f"16 stacked {r['stacked_s']:.3f} s = {r['stacked_over_one']:.2f}× one run "
            + ("(no target); " if w["target"] is None else f"(target ≤ {w['target']:g}×, ")
            + ("" if w["target"] is None else ("ok); " if r["ok"] else "MISSED); "))
            + f"{r['diverged']} of 16 diverged"
        )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
