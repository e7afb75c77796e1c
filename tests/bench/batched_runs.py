"""A 16-rate learning-rate sweep: stacked runs against the sequential loop.

Run from the repository root::

    python tests/bench/batched_runs.py [--repeat 3] [--only circles,digits] [default|1thread]

Per workload, in the same process and interleaved round by round: one
Trainer run at the middle rate, the 16 runs one after another (what
lr_sweep did before), the 16 runs stacked as lr_sweep trains them
(model.train.batched_split.make_stack with the sweep's epochs: the second
half-stack in the worker process, or on a second thread, where that pays;
``split`` in the JSON says which, ``worker_runs`` how many of the 16 the
worker process got in each call: model.train.split_pace sizes its share
by the pace it has shown) and as one stack on one thread
(``one_stack``).  The worker process's cold start (spawn to ready: an
interpreter and NumPy) is measured once per mode before the rounds, and the
rounds then find it up, as a sweep panel's prewarmed worker is.  Targets (issue 17): stacked ≤ 2× one run on XOR and
circles 2-8-8-1, ≤ 6× on digits 64-128-64-10.  Each line also gives the
matmul GFLOP/s of both (exact FLOPs, :func:`flops_per_sample`), the gemm
peak measured in the same rounds, and the *matmul floor*: the stack's
matmuls alone at that peak over one run's time, the least ratio any layer
loop could reach on this many threads, and *per-run arithmetic*: one run's
update without the trainer around it (layer loop + optimizer step) times
the run-updates the stack did, over one run's time — what stacking costs
when it saves only the trainer's bookkeeping (digits, whose calls are all
arithmetic, sits near it; circles' small calls get well below it).  Medians of ``--repeat``
rounds, wall-clock and CPU time, with the 1-minute load average around
them.  Within a round the variants are called in turn, one call each, until
each has run ``ROUND_S`` (one circles run is ~15 ms), and the round's figure
is a variant's median call: one scheduler hiccup cannot decide a round, and
the calls compared are close in time (one run's own time drifts by ±25 %
over seconds on this VM, quiet or not).  ``stacked_over_one`` (and its CPU
twin) is the median of the rounds' own ratios.  The script
re-executes itself with OpenBLAS's kernel overrides unset (``blas_env.py``;
``--keep-blas-env`` keeps them) and prints the BLAS it ran.  Each thread
mode (``default``, ``1thread`` = OPENBLAS/OMP_NUM_THREADS=1) runs in a
subprocess of its own, which keeps big freed blocks as the app's process
does (``--default-malloc`` leaves glibc's thresholds).  On a shared 2-core
machine the 1-thread figures are the fairer ones.  The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from blas_env import KEEP_FLAG, reexec_without_blas_vars  # noqa: E402
from train_speed_machine import blas_info  # noqa: E402

from model.data.datasets import make_dataset  # noqa: E402
from model.nn.allocator import keep_freed_memory  # noqa: E402
from model.nn.network import Network  # noqa: E402
from model.nn.spec import NetworkSpec  # noqa: E402
from model.train import batched_split, stack_pool  # noqa: E402
from model.train.batched import BatchedTrainer, flops_per_sample  # noqa: E402
from model.train.batched_split import ONE, PROCESS, THREAD, SplitTrainer, close_stack, make_stack  # noqa: E402
from model.train.trainer import Trainer, TrainSettings  # noqa: E402


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


def _peak() -> float:
    """f64 matmul GFLOP/s of one 768² product (best of 3): the machine's gemm
    limit at this thread count, measured in the same rounds as the runs."""
    a = np.random.default_rng(0).normal(size=(768, 768))
    out = np.empty_like(a)
    best = min(_timed(lambda: np.matmul(a, a, out=out))[0] for _ in range(3))
    return 2 * 768**3 / best / 1e9


def _update_arithmetic(net, X, T, s, lr) -> float:
    """Seconds of one run's update without the trainer around it: the layer
    loop on one batch plus the optimizer step (best of 30).  ``run-updates ×
    this`` over one run's time is what K runs cost if stacking saved only the
    trainer's per-update bookkeeping; a stack gets below it only where one
    run's NumPy calls cost more than their arithmetic (small layers)."""
    from model.optim.optimizers import make_optimizer

    m = net.copy()
    bs = len(X) if s.batch_size is None else min(s.batch_size, len(X))
    Xa = np.ones((bs, X.shape[1] + 1))
    Xa[:, :-1] = X[:bs]
    Tb = np.ascontiguousarray(T[:bs], dtype=float)
    opt = make_optimizer(s.optimizer, lr=lr, **s.hyper)
    params = m.parameters()

    def update():
        _, grads = m.gradients_augmented(Xa, Tb)
        opt.step(params, grads)

    update()
    return min(_timed(update)[0] for _ in range(30))


def _one(net, X, T, s, lr, epochs):
    tr = Trainer(net.copy(), X, T, TrainSettings(**{**s.to_dict(), "lr": lr, "schedule": s.schedule}))
    tr.train(epochs)


MODES = {
    "default": {},
    "1thread": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
}


def _timed(f) -> tuple[float, float]:
    """(wall, CPU) seconds of ``f()``."""
    t0, c0 = time.perf_counter(), time.process_time()
    f()
    return time.perf_counter() - t0, time.process_time() - c0


#: Seconds each variant runs per round (called again until then; at least once).
ROUND_S = 0.15


def _round(jobs: dict, keys, min_s: float = ROUND_S) -> dict:
    """Per job of ``keys``: (median wall, median CPU, least wall) seconds of one
    call, the jobs called in turn until each has run ``min_s`` (at least once),
    so the calls compared lie close together in time."""
    calls = {k: [] for k in keys}
    spent = dict.fromkeys(keys, 0.0)
    while any(spent[k] < min_s for k in keys):
        for k in keys:
            if spent[k] < min_s:
                calls[k].append(_timed(jobs[k]))
                spent[k] += calls[k][-1][0]
    return {
        k: (_median([c[0] for c in v]), _median([c[1] for c in v]), min(c[0] for c in v))
        for k, v in calls.items()
    }


def _median(v):
    v = sorted(v)
    m = len(v) // 2
    return v[m] if len(v) % 2 else 0.5 * (v[m - 1] + v[m])


def _ratios(times: dict, k: str, i: int) -> list[float]:
    """Per round, job ``k``'s figure ``i`` (0 wall, 1 CPU) over the one run's."""
    return [t[i] / o[i] for t, o in zip(times[k], times["one"])]


def _sweep_stack(net, X, T, s, lrs, epochs, shares=None) -> str:
    """lr_sweep's stack trained; which split make_stack chose (and, into
    ``shares``, how many runs a worker process got: its observed pace decides)."""
    bt = make_stack(net, X, T, s, lrs, epochs=epochs)
    try:
        bt.train(epochs)
    finally:
        close_stack(bt)
    if shares is not None and isinstance(bt, SplitTrainer) and bt.remote:
        shares.append(len(bt.index[1]))
    return _split_of(bt)


def _forced(mode, net, X, T, s, lrs, epochs) -> None:
    batched_split.FORCE_SPLIT = mode
    try:
        _sweep_stack(net, X, T, s, lrs, epochs)
    finally:
        batched_split.FORCE_SPLIT = None


def _split_of(bt) -> str:
    if not isinstance(bt, SplitTrainer):
        return ONE
    return PROCESS if bt.remote else THREAD


def _cold_start() -> float | None:
    """Seconds from spawning the stack worker to its first message (None: no spare core)."""
    stack_pool.POOL.shutdown()
    t0 = time.perf_counter()
    w = stack_pool.POOL.lease()
    if w is None:
        return None
    lease_s = time.perf_counter() - t0
    stack_pool.POOL.release(w, clean=True)
    return lease_s


def measure(mode: str, repeat: int, only=()) -> dict:
    """Every workload (or those in ``only``) in this process (its BLAS threads set by the caller)."""
    cold = _cold_start()
    out = {"mode": mode, "worker_cold_start_s": cold, "blas": blas_info(), "workloads": {}}
    print(
        f"{mode:8s} BLAS {out['blas'].get('architecture')} ×{out['blas'].get('num_threads')}; "
        "stack worker cold start (spawn to ready): " + ("no spare core" if cold is None else f"{cold:.3f} s"),
        flush=True,
    )
    for name, w in WORKLOADS.items():
        if only and name not in only:
            continue
        net, X, T, s = _problem(w)
        lrs = np.geomspace(*w["lrs"], 16)
        mid, E = float(lrs[8]), w["epochs"]
        jobs = {
            "one": lambda: _one(net, X, T, s, mid, E),
            "sequential": lambda: [_one(net, X, T, s, float(lr), E) for lr in lrs],
            # what lr_sweep does: split over a worker process or two threads where that pays
            "stacked": lambda: chosen.append(_sweep_stack(net, X, T, s, lrs, E, shares)),
            "one_stack": lambda: BatchedTrainer(net, X, T, s, lrs).train(E),
            # the process split whatever the machine's load (make_stack takes it only
            # with the second core free at that instant)
            "process": lambda: _forced(PROCESS, net, X, T, s, lrs, E),
        }
        times = {k: [] for k in jobs}  # per round: (median wall, median CPU, least wall) of a call
        chosen: list[str] = []  # the split make_stack took in each stacked call
        shares: list[int] = []  # the worker process's runs in each process-split call
        loads, peaks = [os.getloadavg()[0]], []
        for r in range(repeat):
            keys = list(jobs)[r % len(jobs) :] + list(jobs)[: r % len(jobs)]
            for k, t in _round(jobs, keys).items():
                times[k].append(t)
            peaks.append(_peak())
            loads.append(os.getloadavg()[0])
        bt = BatchedTrainer(net, X, T, s, lrs)
        bt.train(E)
        split = max(set(chosen), key=chosen.count)
        wall = {k: _median([t[0] for t in v]) for k, v in times.items()}
        cpu = {k: _median([t[1] for t in v]) for k, v in times.items()}
        # the least call too: on a shared machine a call another job lands
        # on only ever adds time, so the minimum is the steadier estimate of cost
        best = {k: min(t[2] for t in v) for k, v in times.items()}
        # matmul work: the stack's rows actually trained (diverged runs leave it)
        fps, peak = flops_per_sample(w["sizes"]), _median(peaks)
        one_flops, stacked_flops = fps * len(X) * E, fps * bt.run_samples
        bs = len(X) if s.batch_size is None else min(s.batch_size, len(X))
        arithmetic = _update_arithmetic(net, X, T, s, mid) * bt.run_samples / bs
        gemm = dict(
            per_run_arithmetic_over_one=arithmetic / wall["one"],
            peak_gflops=peak,
            one_gflops=one_flops / wall["one"] / 1e9,
            stacked_gflops=stacked_flops / wall["stacked"] / 1e9,
            # the stack's matmuls alone at the peak rate, over one run's time: no
            # stacked layer loop can beat this ratio on this many threads
            matmul_floor_over_one=stacked_flops / (peak * 1e9) / wall["one"],
        )
        r = dict(
            one_run_s=wall["one"],
            sequential_s=wall["sequential"],
            stacked_s=wall["stacked"],
            # the median of the rounds' own ratios: the machine's speed drifts
            # between rounds (one run 14-24 ms), a round's two figures share it
            stacked_over_one=_median(_ratios(times, "stacked", 0)),
            split=split,
            split_rounds=chosen,
            worker_runs=shares,
            one_stack_over_one=wall["one_stack"] / wall["one"],
            process_over_one=wall["process"] / wall["one"],
            best_process_over_one=best["process"] / best["one"],
            cpu_one_stack_over_one=cpu["one_stack"] / cpu["one"],
            best_stacked_over_one=best["stacked"] / best["one"],
            # each round's own ratio: how far apart the rounds are
            round_stacked_over_one=_ratios(times, "stacked", 0),
            sequential_over_stacked=wall["sequential"] / wall["stacked"],
            cpu_s=cpu,
            cpu_stacked_over_one=_median(_ratios(times, "stacked", 1)),
            diverged=int((bt.diverged_at > 0).sum()),
            target=w["target"],
            load=_median(loads),
            **gemm,
        )
        r["ok"] = None if w["target"] is None else r["stacked_over_one"] <= w["target"]
        out["workloads"][name] = r
        print(
            f"{mode:8s} {name:18s} load {r['load']:.1f}: one run {r['one_run_s']:.3f} s | "
            f"16 sequential {r['sequential_s']:.3f} s | 16 stacked {r['stacked_s']:.3f} s = "
            f"{r['stacked_over_one']:.2f}× one run (rounds "
            + "/".join(f"{v:.2f}" for v in r["round_stacked_over_one"])
            + f", best call {r['best_stacked_over_one']:.2f}×, "
            f"CPU time {r['cpu_stacked_over_one']:.2f}×"
            + (
                f"; split over a {r['split']}"
                + (f" (worker's runs {min(shares)}-{max(shares)} of 16)" if shares else "")
                + f", unsplit {r['one_stack_over_one']:.2f}× / CPU "
                f"{r['cpu_one_stack_over_one']:.2f}×) "
                if r["split"] != ONE
                else ", not split) "
            )
            + f"[forced process split {r['process_over_one']:.2f}×, best {r['best_process_over_one']:.2f}×] "
            + ("(no target); " if w["target"] is None else f"(target ≤ {w['target']:g}×, ")
            + ("" if w["target"] is None else ("ok); " if r["ok"] else "MISSED); "))
            + f"{r['diverged']} of 16 diverged; matmuls {r['stacked_gflops']:.1f} GFLOP/s stacked, "
            f"{r['one_gflops']:.1f} one run, peak {r['peak_gflops']:.1f} "
            f"(matmul floor {r['matmul_floor_over_one']:.2f}× one run); one run's per-update "
            f"arithmetic × the stack's run-updates = {r['per_run_arithmetic_over_one']:.2f}× one run",
            flush=True,
        )
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated workloads (default: all)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(KEEP_FLAG, action="store_true", help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE set")
    ap.add_argument(
        "--default-malloc",
        action="store_true",
        help="leave glibc's thresholds as they are (the app sets them)",
    )
    ap.add_argument("modes", nargs="*", help="default and/or 1thread (both when none given)")
    args = ap.parse_args(argv)
    if not args.child:
        reexec_without_blas_vars(__file__, sys.argv[1:] if argv is None else list(argv))
    bad = [m for m in args.modes if m not in MODES]
    if bad:
        ap.error(f"unknown mode(s) {', '.join(bad)}; allowed: {', '.join(MODES)}")
    only = [w for w in args.only.split(",") if w]
    unknown = [w for w in only if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; allowed: {', '.join(WORKLOADS)}")
    if args.child:
        # the sweeps run in the app's process, which keeps freed big blocks (model/nn/allocator.py)
        kept = False if args.default_malloc else keep_freed_memory()
        print(json.dumps({**measure(args.modes[0], max(1, args.repeat), only), "keep_freed_memory": kept}))
        return 0
    out = {"repeat": args.repeat, "blas": blas_info(), "modes": {}}
    print(f"python {sys.version.split()[0]}  cores {os.cpu_count()}  BLAS: {out['blas']}")
    print(
        f"medians (and best) of {args.repeat} interleaved rounds, each the median call of "
        f"≥ {ROUND_S:g} s of calls; load = 1-min load average"
    )
    for mode in args.modes or list(MODES):
        env = {k: v for k, v in os.environ.items() if k not in MODES["1thread"]} | MODES[mode]
        cmd = [sys.executable, __file__, "--child", "--repeat", str(args.repeat), "--only", args.only, mode]
        cmd += ["--default-malloc"] if args.default_malloc else []
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        lines = proc.stdout.strip().splitlines()
        print("\n".join(lines[:-1]), flush=True)
        out["modes"][mode] = json.loads(lines[-1]) if proc.returncode == 0 and lines else None
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
