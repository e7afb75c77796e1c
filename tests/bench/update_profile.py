"""Where one training update's time goes: the Trainer against the plain NumPy loop, op by op.

Run from the repository root::

    python tests/bench/update_profile.py                  # wide, both dtypes, both thread modes
    python tests/bench/update_profile.py digits 1thread --reps 400

Each op of one update (the batch gather, every matmul, activation, loss,
bias sum and the optimizer step) is timed in isolation on the workload's real
shapes and arrays: ours as :func:`model.nn.backprop.gradients`,
:meth:`Optimizer.step` and the trainer's per-update bookkeeping issue them,
plain as ``tests/bench/plain_numpy.py`` writes them.  Every op runs ``--reps``
times in interleaved rounds (ours and plain alternating, so load drifts hit
both); the figure is the median per call, in µs, with its share of the side's
sum.  ``whole`` times one full update through the real code (Trainer fast path:
``gradients_augmented`` + ``step`` + bookkeeping; plain: one loop body), so the
sum of the parts can be checked against it; where the Trainer measures how to
run an update (:mod:`model.train.update_modes`: default threads, big updates:
serial, split in two halves or one BLAS thread) ``whole`` does too and says
which won, while the ops are timed serially.  Thread modes as train_speed.py
(each in its own subprocess).  Like train_speed.py it re-executes
with ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` unset (tests/bench/blas_env.py;
``--keep-blas-env`` keeps them).  One JSON line last.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from blas_env import reexec_without_blas_vars  # noqa: E402
from train_speed import MODES, WORKLOADS, load_data, median  # noqa: E402


def _ours_ops(w, X, T, dtype):
    """(name, thunk) per op of one Trainer update, on the Trainer's own buffers."""
    import numpy as np

    from model.nn import activations, backprop
    from model.nn.network import Network, NetworkSpec
    from model.train.trainer import _TAKE, Trainer, TrainSettings

    net = Network(NetworkSpec(w["sizes"], w["acts"], loss=w["loss"], seed=0, dtype=dtype))
    s = TrainSettings(optimizer=w["opt"], lr=w["lr"], hyper=w["hyper"], batch_size=w["batch"], epochs=1)
    tr = Trainer(net, X, T, s)
    bs, n = w["batch"], len(X)
    idx = tr.rng.permutation(n)[:bs]
    if tr._Xp is not None:
        xb, tb = tr._Xp[:bs], tr._Tp[:bs]
        gather = [
            ("gather (per epoch ÷ updates)", _per_epoch(tr, n, bs)),
        ]
    else:
        xb, tb = tr._xab, tr._tb
        gather = [
            ("gather x", lambda: np.take(tr._Xa, idx, axis=0, out=tr._xab, mode=_TAKE)),
            ("gather t", lambda: np.take(tr.T, idx, axis=0, out=tr._tb, mode=_TAKE)),
        ]
    buf, p, acts, kind = net.batch_buffers(bs), net._views, net.spec.activations, net.spec.loss
    loss, grads = net.gradients_augmented(xb, tb, buf)  # fill the buffers once
    L, mm = len(acts), np.dot
    ops = list(gather)
    A = xb
    for l in range(L):
        Z, out = buf.Z[l], buf.V[l] if l < L - 1 else buf.Y
        if l == 0:
            ops.append((f"fwd matmul {l + 1} (bias folded)", lambda A=A, Z=Z: mm(A, p.aug[0], out=Z)))
        else:
            ops.append((f"fwd matmul {l + 1}", lambda A=A, Z=Z, l=l: mm(A, p.W[l], out=Z)))
            ops.append((f"fwd bias add {l + 1}", lambda Z=Z, l=l: np.add(Z, p.b[l], out=Z)))
        if l == L - 1 and kind == "cross_entropy":  # the layer loop fuses softmax and loss
            ops.append(
                (
                    "fwd softmax + loss (fused)",
                    lambda Z=Z, out=out: backprop._softmax_cross_entropy(Z, tb, out),
                )
            )
        else:
            ops.append(
                (f"fwd {acts[l]} {l + 1}", lambda l=l, Z=Z, out=out: activations.forward(acts[l], Z, out))
            )
        A = out
    inv_n = 1.0 / bs
    ops.append(
        (
            "output delta",
            lambda: (np.subtract(buf.Y, tb, out=buf.D[-1]), np.multiply(buf.D[-1], inv_n, out=buf.D[-1])),
        )
    )
    if kind != "cross_entropy":
        loss_op = backprop._half_sq if kind == "mse" else lambda D: backprop.run_loss(kind, buf.Z[-1], tb)
        ops.append(("loss", lambda: loss_op(buf.D[-1])))
    for l in range(L - 1, 0, -1):
        D, Dp = buf.D[l], buf.D[l - 1]
        WT = p.WT[l] if p.WTc[l] is None else p.WTc[l]
        ops.append((f"grad W{l + 1} matmul", lambda l=l, D=D: mm(buf.VT[l - 1], D, out=p.gW[l])))
        ops.append((f"grad b{l + 1} (1ᵀD)", lambda l=l, D=D: mm(buf.ones, D, out=p.gb[l])))
        if p.WTc[l] is not None:
            ops.append((f"copy W{l + 1}ᵀ", lambda l=l: np.copyto(p.WTc[l], p.WT[l])))
        ops.append((f"back matmul {l + 1}", lambda D=D, WT=WT, Dp=Dp: mm(D, WT, out=Dp)))
        g = acts[l - 1]
        ops.append(
            (
                f"back {g}′ {l}",
                lambda l=l, g=g, Dp=Dp: np.multiply(
                    Dp, activations.derivative(g, buf.Z[l - 1], buf.V[l - 1], out=buf.G[l - 1]), out=Dp
                ),
            )
        )
    ops.append(("grad W1;b1 matmul", lambda: mm(xb.T, buf.D[0], out=p.gaug[0])))
    opt, params = tr.optimizer, net.parameters()
    opt.step(params, grads)
    # thousands of steps on one batch: η = 0 keeps the parameters (and so every op's
    # data) where they are, finite, at the same arithmetic cost per step
    opt.lr = 0.0
    ops.append((f"{w['opt']} step", lambda: opt.step(params, grads)))
    hist, pred = tr.history, tr._pred
    ops.append(("bookkeeping (argmax, history, checks)", lambda: _bookkeeping(tr, net, hist, pred, loss, bs)))

    from model.train.update_modes import UpdateRunner

    # as Trainer.updates: big updates on 2 cores with BLAS threads available run in the
    # mode the tuner measures fastest (serial, split or one thread)
    runner = UpdateRunner(net.layer_sizes, bs, dtype=dtype)

    def grad(x, t, pair=None):
        return net.gradients_augmented(x, t, buf, pair=pair)

    def whole():
        lo, g = runner.gradients(grad, xb, tb)
        _bookkeeping(tr, net, hist, pred, lo, bs)
        runner.step(opt, params, g)

    whole.runner = runner
    return ops, whole


def _per_epoch(tr, n, bs):
    import numpy as np

    from model.train.trainer import _TAKE

    order = tr.rng.permutation(n)
    k = -(-n // bs)

    def f():  # one epoch's two gathers, charged per update
        np.take(tr._Xa, order, axis=0, out=tr._Xp, mode=_TAKE)
        np.take(tr.T, order, axis=0, out=tr._Tp, mode=_TAKE)

    f.scale = 1.0 / k
    return f


def _bookkeeping(tr, net, hist, pred, loss, bs):
    """What Trainer.updates does per update besides the gradients and the step."""
    import numpy as np

    if not loss <= tr._limit:
        pass
    out = net.last_output
    if out.shape[1] == 1:
        np.copyto(pred[:bs], out[:, 0])
    else:
        np.argmax(out, axis=1, out=pred[:bs])
    hist.update_loss.append(loss)
    hist.update_lr.append(tr.optimizer.lr)


def _plain_ops(w, X, T, dtype):
    """(name, thunk) per op of one plain_numpy.train loop body (its own formulas)."""
    import numpy as np
    import plain_numpy as pn

    sizes, acts, bs = w["sizes"], w["acts"], w["batch"]
    # parameters after one plain update (its own initialisation)
    Ws, bsv, _ = pn.train(sizes, acts, w["loss"], X[:bs], T[:bs], w["opt"], w["lr"], w["hyper"], bs, 1, 0)
    params = Ws + bsv
    state = [[np.zeros_like(q) for q in params] for _ in range(2)]
    idx = np.random.default_rng(0).permutation(len(X))[:bs]
    x, y = X[idx], T[idx]
    L, m = len(Ws), bs

    def fwd(l):
        return As[l] @ Ws[l] + bsv[l]

    zs, As = [], [x]
    for l in range(L):
        zs.append(fwd(l))
        As.append(pn._act(acts[l], zs[l]))
    out, ds = As[-1], [None] * L
    ds[-1] = (out - y) / m
    for l in range(L - 1, 0, -1):
        ds[l - 1] = (ds[l] @ Ws[l].T) * pn._dact(acts[l - 1], zs[l - 1], As[l])
    ops = [("gather x", lambda: X[idx]), ("gather t", lambda: T[idx])]
    for l in range(L):
        ops.append((f"fwd matmul {l + 1} + bias", lambda l=l: fwd(l)))
        ops.append((f"fwd {acts[l]} {l + 1}", lambda l=l: pn._act(acts[l], zs[l])))
    if w["loss"] == "mse":
        ops.append(("loss", lambda: float(0.5 * np.sum((out - y) ** 2) / m)))
        ops.append(("output delta", lambda: (out - y) * pn._dact(acts[-1], zs[-1], out) / m))
    else:
        ops.append(("loss", lambda: float(-np.sum(y * np.log(np.maximum(out, 1e-300))) / m)))
        ops.append(("output delta", lambda: (out - y) / m))
    for l in range(L - 1, -1, -1):
        ops.append((f"grad W{l + 1} matmul", lambda l=l: As[l].T @ ds[l]))
        ops.append((f"grad b{l + 1} (sum)", lambda l=l: ds[l].sum(axis=0)))
        if l:
            ops.append((f"back matmul {l + 1}", lambda l=l: ds[l] @ Ws[l].T))
            ops.append(
                (
                    f"back {acts[l - 1]}′ {l}",
                    lambda l=l: ds[l - 1] * pn._dact(acts[l - 1], zs[l - 1], As[l]),
                )
            )
    grads = [np.zeros_like(q) for q in params]
    # the optimizer rule per array, as in the loop (same formulas, state arrays reused)
    ops.append(
        (f"{w['opt']} step", lambda: pn.update(w["opt"], params, grads, state, 5, w["lr"], w["hyper"]))
    )
    ops.append(("bookkeeping (history)", lambda: [].append(1.0)))

    def whole():
        """One update of plain_numpy.train: an 11-batch epoch minus a 1-batch one, ÷ 10
        (the same initialisation cancels); per call of ``_time``, one such pair."""
        c0, t0 = time.process_time(), time.perf_counter()
        pn.train(sizes, acts, w["loss"], X[: 11 * bs], T[: 11 * bs], w["opt"], w["lr"], w["hyper"], bs, 1, 0)
        c1, t1 = time.process_time(), time.perf_counter()
        pn.train(sizes, acts, w["loss"], X[:bs], T[:bs], w["opt"], w["lr"], w["hyper"], bs, 1, 0)
        c2, t2 = time.process_time(), time.perf_counter()
        return ((c1 - c0) - (c2 - c1)) / 10, ((t1 - t0) - (t2 - t1)) / 10

    return ops, whole


def _time(f, reps: int) -> tuple[float, float]:
    """Median µs per call over ``reps`` calls, timed in blocks of 10: (CPU time
    of this process, all threads; wall-clock).  CPU time is the figure: on a
    shared machine waiting for a core inflates the wall-clock, not the CPU time
    (exact with one thread; with more it includes BLAS threads' spin-waiting)."""
    block = 10
    cpu, wall = [], []
    for _ in range(max(1, reps // block)):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(block):
            f()
        cpu.append((time.process_time() - c0) / block)
        wall.append((time.perf_counter() - t0) / block)
    scale = 1e6 * getattr(f, "scale", 1.0)
    return scale * median(cpu), scale * median(wall)


def serve(name: str, dtype: str, reps: int) -> dict:
    w = WORKLOADS[name]
    X, T = load_data(name, dtype)
    ours, ours_whole = _ours_ops(w, X, T, dtype)
    plain, plain_whole = _plain_ops(w, X, T, dtype)
    for _, f in ours + plain:  # warm every op once
        f()
    res = {
        "ours": {k: [] for k, _ in ours},
        "plain": {k: [] for k, _ in plain},
        "whole": [],
        "plain_whole": [],
    }
    rounds = 5
    for _ in range(rounds):
        for k, f in ours:
            res["ours"][k].append(_time(f, reps // rounds))
        for k, f in plain:
            res["plain"][k].append(_time(f, reps // rounds))
        res["whole"].append(_time(ours_whole, reps // rounds))
        pairs = [plain_whole() for _ in range(max(1, reps // rounds // 20))]
        res["plain_whole"].append((median([c for c, _ in pairs]) * 1e6, median([t for _, t in pairs]) * 1e6))
    out = {}
    for side in ("ours", "plain"):
        us = {k: median([c for c, _ in v]) for k, v in res[side].items()}
        wall = {k: median([t for _, t in v]) for k, v in res[side].items()}
        total = sum(us.values())
        out[side] = {
            "ops_cpu_us": us,
            "ops_wall_us": wall,
            "sum_cpu_us": total,
            "sum_wall_us": sum(wall.values()),
            "share": {k: v / total for k, v in us.items()},
        }
    out["ours"]["whole_update_cpu_us"] = median([c for c, _ in res["whole"]])
    out["ours"]["whole_update_wall_us"] = median([t for _, t in res["whole"]])
    out["plain"]["whole_update_cpu_us"] = median([c for c, _ in res["plain_whole"]])
    out["plain"]["whole_update_wall_us"] = median([t for _, t in res["plain_whole"]])
    out["load"] = os.getloadavg()[0]
    tuner = ours_whole.runner.tuner
    out["ours"]["whole_mode"] = ours_whole.runner.fixed if tuner is None else tuner.best
    out["ours"]["whole_mode_ms"] = {} if tuner is None else {k: 1e3 * v for k, v in tuner.medians.items()}
    ours_whole.runner.close()
    return out


def main(argv: list[str]) -> None:
    if "--serve" in argv:
        i = argv.index("--serve")
        name, dtype, reps = argv[i + 1], argv[i + 2], int(argv[i + 3])
        print(json.dumps(serve(name, dtype, reps)))
        return
    reexec_without_blas_vars(__file__, argv)  # the kernel OpenBLAS picks itself (blas_env)
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 500
    names = [a for a in argv if a in WORKLOADS] or ["wide"]
    modes = [a for a in argv if a in MODES] or list(MODES)
    result = {"reps": reps, "profiles": []}
    for name in names:
        for dtype in ("float64", "float32"):
            for mode in modes:
                env = {k: v for k, v in os.environ.items() if k not in MODES["1thread"]} | MODES[mode]
                load0 = os.getloadavg()[0]
                proc = subprocess.run(
                    [sys.executable, __file__, "--serve", name, dtype, str(reps)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=1800,
                )
                if proc.returncode:
                    print(proc.stderr)
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                load1 = r.pop("load")
                r.update(workload=name, dtype=dtype, mode=mode, load=[load0, load1])
                result["profiles"].append(r)
                o, p = r["ours"], r["plain"]
                print(
                    f"\n{name} {dtype} {mode} (load {load0:.1f}–{load1:.1f}), CPU µs per call: "
                    f"ours Σ {o['sum_cpu_us']:.0f} (one whole update, {o.get('whole_mode')}, {o['whole_update_cpu_us']:.0f}) | "
                    f"plain Σ {p['sum_cpu_us']:.0f} (one whole update {p['whole_update_cpu_us']:.0f}) | "
                    f"ours ÷ plain Σ {o['sum_cpu_us'] / p['sum_cpu_us']:.2f}, whole "
                    f"{o['whole_update_cpu_us'] / p['whole_update_cpu_us']:.2f}"
                )
                for side in ("ours", "plain"):
                    s = r[side]
                    print(f"  {side}:")
                    for k, v in s["ops_cpu_us"].items():
                        print(
                            f"    {k:40s} {v:9.1f} µs {100 * s['share'][k]:5.1f} %  (wall {s['ops_wall_us'][k]:.1f})"
                        )
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
