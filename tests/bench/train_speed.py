"""Training speed: the project's Trainer against a plain NumPy loop, PyTorch and scikit-learn.

Run from the repository root::

    python tests/bench/train_speed.py                 # everything: ~10 min
    python tests/bench/train_speed.py wide 1thread    # one workload, one thread mode
    python tests/bench/train_speed.py --repeat 5

PyTorch and scikit-learn are benchmark-only (not project dependencies); the
script runs without them and prints ``n/a`` for what is missing (torch 2.13
CPU is in the project's venv).

Some machines set ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` (older OpenBLAS
builds misbehave without them); they slow a current NumPy, so the script
re-executes itself with both unset (``--keep-blas-env`` keeps them) and
reports which BLAS kernel ran.

Each (workload, dtype, framework) runs in its own persistent subprocess, so
one library's thread pools (OpenMP spin-waiting, MKL) cannot slow another;
the driver interleaves them round by round (the order rotating) and reports
the median of ``--repeat`` (≥ 3) rounds of the whole training loop (data in
memory, model built, no import time), wall-clock and CPU time, with the
1-minute load average around the rounds.  Every figure is measured twice:
``default`` threads and ``1thread`` (OPENBLAS/OMP/MKL_NUM_THREADS=1 and
``torch.set_num_threads(1)``); on a shared 2-core machine the 1-thread
figures are the fairer ones (see MODES).  The matmul peak each wide/mnist
figure is measured against runs as one more worker in the same rounds and
thread mode.  Every framework records the loss of each update as a Python
float, as the Trainer's history does.

Workloads (ARCHITECTURE/issue): tiny 2-8-8-1 tanh/sigmoid/mse on 200 moons,
batch 10, 100 epochs, SGD 0.1; digits 64-128-64-10 relu/softmax/CE on the
standardised shipped digits, batch 32, 20 epochs, Adam 1e-3; wide
784-256-128-10 relu/softmax on 10,000 synthetic samples, batch 128, 3 epochs,
momentum 0.9 lr 0.01; mnist 784-256-128-10 relu/softmax on the generated
60,000-sample mnist_like, batch 128, 1 epoch, Adam 1e-3 (issue 17: at most
1.0× PyTorch's time per epoch).  "numpy" is tests/bench/plain_numpy.py, the
plainly written reference loop the trainer must not be slower than (issue
17), and each wide run also reports its share of NumPy's matmul peak
measured in the same run (float32 ≥ 50 %, float64 ≥ 55 %).  scikit-learn has no sigmoid+MSE classifier: its tiny
run is MLPClassifier (logistic output, log-loss), the same layer work.

Where one update's time goes, op by op, ours against the plain loop:
``tests/bench/update_profile.py``.  Measured there (2 shared cores, load
3-5): with one thread both issue the same BLAS calls at the same shapes and
the matmuls are ~88 % of an update, the optimizer step ~6 %, everything else
~6 %; at default threads on a loaded machine the same whole update takes 5-8×
longer than with one thread for both (OpenBLAS's second thread waits for a
core at every threaded gemm), so default-thread ratios swing by ±15 % from
round to round whatever the code does.
Since then the Trainer no longer lets OpenBLAS thread those gemms: at default
threads a big update (wide, mnist) runs two single-threaded halves at once
(model/nn/parallel_update.py), the plain loop keeps OpenBLAS's threading;
measured at load 3.3-3.9: wide f64 default 1.82 s against the plain loop's
7.39 s (0.25×), 56 % of the 2-thread matmul peak; f32 0.96 s against 3.41 s.
With one thread nothing changes (the same serial path, parity).

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _workload(sizes, acts, loss, n, batch, epochs, opt, lr, **hyper) -> dict:
    return dict(
        sizes=sizes, acts=acts, loss=loss, n=n, batch=batch, epochs=epochs, opt=opt, lr=lr, hyper=hyper
    )


_WIDE = ([784, 256, 128, 10], ["relu", "relu", "softmax"], "cross_entropy")
WORKLOADS = {
    "tiny": _workload([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], "mse", 200, 10, 100, "sgd", 0.1),
    "digits": _workload(
        [64, 128, 64, 10], ["relu", "relu", "softmax"], "cross_entropy", 1797, 32, 20, "adam", 1e-3
    ),
    "wide": _workload(*_WIDE, 10_000, 128, 3, "momentum", 0.01, momentum=0.9),
}
# issue 17: MNIST-size, generated in-process (model/data/strokes.py); the wide net with Adam
WORKLOADS["mnist"] = {**WORKLOADS["wide"], "n": 60_000, "epochs": 1, "opt": "adam", "lr": 1e-3, "hyper": {}}
TARGET_TORCH = {"tiny": 0.25, "digits": 0.5, "wide": 1.0, "mnist": 1.0}
TARGET_SKLEARN = {"tiny": 0.5, "digits": 0.75, "wide": 1.0, "mnist": 1.0}
TARGET_NUMPY = 1.0  # issue 17: never slower than the plain NumPy loop (tests/bench/plain_numpy.py)
TARGET_PEAK = {"float32": 0.5, "float64": 0.55}  # wide: fraction of NumPy's matmul peak
DTYPES = ("float64", "float32")


# ---------------------------------------------------------------- data
def load_data(name: str, dtype: str):
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from model.data.datasets import make_dataset
    from model.data.preprocessing import fit_scaler

    if name == "tiny":
        ds = make_dataset("moons", n=200, noise=0.1, seed=0)
        X, T = ds.X, ds.T
    elif name == "mnist":
        X, T = _mnist_cached()
    elif name == "digits":
        ds = make_dataset("digits")
        X, T = fit_scaler(ds.X, "standardize").transform(ds.X), ds.T
    else:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(10_000, 784))
        labels = (X @ rng.normal(size=(784, 10))).argmax(axis=1)
        T = np.eye(10)[labels]
    return np.ascontiguousarray(X, dtype), np.ascontiguousarray(T, dtype)


def _mnist_cached():
    """mnist_like drawn once (several seconds) and kept in the temp folder for the workers."""
    import tempfile

    import numpy as np

    from model.data.datasets import make_dataset

    path = Path(tempfile.gettempdir()) / "mlp-studio-bench-mnist_like-seed0.npz"
    if path.exists():
        with np.load(path) as z:
            return z["X"], z["T"]
    ds = make_dataset("mnist_like", seed=0)
    np.savez(path, X=ds.X.astype(np.float32), T=ds.T.astype(np.float32))
    return ds.X, ds.T


def flops_per_epoch(w: dict) -> float:
    """Exact multiply-add work: forward 2·i·o per sample per layer, backward
    twice that except the first layer's input gradient (never computed)."""
    s = w["sizes"]
    per_sample = sum(6 * a * b for a, b in zip(s[:-1], s[1:])) - 2 * s[0] * s[1]
    return per_sample * w["n"]


# ---------------------------------------------------------------- runners
def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t0) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) since ``t0``."""
    return time.perf_counter() - t0[0], time.process_time() - t0[1]


def run_ours(w, X, T, dtype):
    sys.path.insert(0, str(ROOT))
    from model.nn.network import Network, NetworkSpec
    from model.train.trainer import Trainer, TrainSettings

    net = Network(NetworkSpec(w["sizes"], w["acts"], loss=w["loss"], seed=0, dtype=dtype))
    s = TrainSettings(
        optimizer=w["opt"], lr=w["lr"], hyper=w["hyper"], batch_size=w["batch"], epochs=w["epochs"], seed=0
    )
    tr = Trainer(net, X, T, s)
    t0 = _now()
    tr.train()
    dt = _since(t0)
    return dt, float(tr.history["train_loss"][-1])


def run_numpy(w, X, T, dtype):
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    import plain_numpy

    t0 = _now()
    _, _, hist = plain_numpy.train(
        w["sizes"], w["acts"], w["loss"], X, T, w["opt"], w["lr"], w["hyper"], w["batch"], w["epochs"]
    )
    dt = _since(t0)
    per_epoch = -(-len(X) // w["batch"])
    return dt, float(sum(hist[-per_epoch:]) / per_epoch)


def run_torch(w, X, T, dtype, threads=0):
    import torch

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    tdt = getattr(torch, dtype)
    s = w["sizes"]
    layers = []
    for i, (a, b) in enumerate(zip(s[:-1], s[1:])):
        layers.append(torch.nn.Linear(a, b))
        act = w["acts"][i]
        if act == "tanh":
            layers.append(torch.nn.Tanh())
        elif act == "relu":
            layers.append(torch.nn.ReLU())
        elif act == "sigmoid":
            layers.append(torch.nn.Sigmoid())
        # softmax is fused into the cross-entropy loss
    model = torch.nn.Sequential(*layers).to(tdt)
    Xt = torch.from_numpy(X)
    if w["loss"] == "mse":
        Tt = torch.from_numpy(T)

        def loss_fn(y, t):
            return 0.5 * ((y - t) ** 2).sum() / len(t)
    else:
        Tt = torch.from_numpy(T.argmax(axis=1))
        loss_fn = torch.nn.CrossEntropyLoss()
    if w["opt"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=w["lr"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=w["lr"], momentum=w["hyper"].get("momentum", 0.0))
    n, bs = len(Xt), w["batch"]
    gen = torch.Generator().manual_seed(0)
    history = []
    t0 = _now()
    for _ in range(w["epochs"]):
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            xb, tb = Xt[idx], Tt[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), tb)
            loss.backward()
            opt.step()
            v = loss.item()
            history.append(v)
            total += v * len(idx)
    dt = _since(t0)
    return dt, total / n


def run_sklearn(w, X, T, dtype):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    y = T[:, 0] > 0.5 if T.shape[1] == 1 else T.argmax(axis=1)
    act = w["acts"][0]
    solver = "adam" if w["opt"] == "adam" else "sgd"
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(w["sizes"][1:-1]),
        activation=act,
        solver=solver,
        alpha=0.0,
        batch_size=w["batch"],
        learning_rate_init=w["lr"],
        learning_rate="constant",
        max_iter=w["epochs"],
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=10**9,
        momentum=w["hyper"].get("momentum", 0.0),
        nesterovs_momentum=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = _now()
        clf.fit(X, y)
        dt = _since(t0)
    return dt, float(clf.loss_)


def serve(name: str, dtype: str, fw: str) -> None:
    """A persistent worker: loads the data once, then times one whole training
    run per ``run`` line on stdin (one JSON line each), so the driver can
    interleave frameworks round by round without re-importing anything."""
    if name == "peak":
        fn = lambda: {
            "gflops": matmul_peak(dtype, repeat=1),
            "cpu_gflops": matmul_peak(dtype, repeat=1, cpu=True),
        }  # noqa: E731
    else:
        w = WORKLOADS[name]
        X, T = load_data(name, dtype)
        try:
            if fw in ("torch", "sklearn"):
                __import__(fw)
        except ImportError:
            fn = None
        else:
            runner = {"ours": run_ours, "numpy": run_numpy, "torch": run_torch, "sklearn": run_sklearn}[fw]

            def fn():
                (wall, cpu), loss = runner(w, X, T, dtype)
                return {"seconds": wall, "cpu_seconds": cpu, "loss": loss}

    extra = {}
    if fw == "torch" and fn is not None:
        import torch

        if os.environ.get("OMP_NUM_THREADS") == "1":
            torch.set_num_threads(1)
        extra["threads"] = torch.get_num_threads()
    print(json.dumps({"ready": fn is not None, **extra}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        print(json.dumps(fn() if fn is not None else {"seconds": None}), flush=True)


# ---------------------------------------------------------------- machine facts
def blas_info() -> dict:
    import numpy as np

    try:
        from threadpoolctl import threadpool_info

        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if infos:
            i = infos[0]
            return {
                "source": "threadpoolctl",
                "internal_api": i.get("internal_api"),
                "version": i.get("version"),
                "architecture": i.get("architecture"),
                "num_threads": i.get("num_threads"),
                "numpy": np.__version__,
            }
    except ImportError:
        pass
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return {
            "source": "numpy.show_config",
            "name": blas.get("name"),
            "version": blas.get("version"),
            "numpy": np.__version__,
        }
    except Exception:  # noqa: BLE001  (older numpy)
        return {"source": "unknown", "numpy": np.__version__}


def matmul_peak(dtype: str, n: int = 2048, repeat: int = 3, cpu: bool = False) -> float:
    """NumPy's own matmul rate on large square matrices, GFLOP/s (per CPU
    second of this process with ``cpu``: with one thread, the rate while it runs)."""
    import numpy as np

    clock = time.process_time if cpu else time.perf_counter
    a = np.random.default_rng(0).random((n, n)).astype(dtype)
    a @ a
    best = float("inf")
    for _ in range(repeat):
        t0 = clock()
        a @ a
        best = min(best, clock() - t0)
    return 2 * n**3 / best / 1e9


# ---------------------------------------------------------------- driver
#: BLAS/OpenMP thread settings each figure is measured under.  On a shared
#: 2-core machine "1thread" is the fairer one: with others' jobs running, a
#: second BLAS thread mostly waits for a core (OpenBLAS spin-waits), so
#: default-thread figures swing with the neighbours' load.
MODES = {
    "default": {},
    "1thread": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
}
MODE_FRAMEWORKS = {"default": ("ours", "numpy", "torch", "sklearn"), "1thread": ("ours", "numpy", "torch")}


class Worker:
    def __init__(self, args: list[str], env: dict):
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.hello = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            return {"ready": False, "seconds": None, "error": f"worker exited ({self.proc.wait()})"}
        return json.loads(line)

    def run(self) -> dict:
        if not self.hello.get("ready", False) or self.proc.poll() is not None:
            return {"seconds": None}
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def median(values):
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    m = len(vals) // 2
    return vals[m] if len(vals) % 2 else 0.5 * (vals[m - 1] + vals[m])


def load_now() -> float:
    return os.getloadavg()[0]


def measure(name: str, dtype: str, mode: str, repeat: int) -> dict:
    """Interleaved rounds (the frameworks' order rotating) of one workload in one
    thread mode; medians over the rounds; the load average around them."""
    env = {k: v for k, v in os.environ.items() if k not in MODES["1thread"]} | MODES[mode]
    fws = list(MODE_FRAMEWORKS[mode]) + (["peak"] if name in ("wide", "mnist") else [])
    workers = {fw: Worker(["peak", dtype, fw] if fw == "peak" else [name, dtype, fw], env) for fw in fws}
    loads = [load_now()]
    runs = {fw: [] for fw in fws}
    try:
        for r in range(repeat):
            for fw in fws[r % len(fws) :] + fws[: r % len(fws)]:
                runs[fw].append(workers[fw].run())
            loads.append(load_now())
    finally:
        for wk in workers.values():
            wk.close()
    w = WORKLOADS[name]
    secs = {fw: median([x.get("seconds") for x in runs[fw]]) for fw in fws if fw != "peak"}
    cpu = {fw: median([x.get("cpu_seconds") for x in runs[fw]]) for fw in fws if fw != "peak"}
    ours = secs["ours"]
    gflops = flops_per_epoch(w) * w["epochs"] / ours / 1e9 if ours else None
    peak = median([x.get("gflops") for x in runs["peak"]]) if "peak" in runs else None
    cpu_peak = median([x.get("cpu_gflops") for x in runs["peak"]]) if "peak" in runs else None
    cpu_gflops = flops_per_epoch(w) * w["epochs"] / cpu["ours"] / 1e9 if cpu["ours"] else None
    return {
        "mode": mode,
        "load": {"min": min(loads), "max": max(loads), "median": median(loads)},
        "seconds": secs,
        "cpu_seconds": cpu,
        "all_seconds": {fw: [x.get("seconds") for x in runs[fw]] for fw in secs},
        "loss": {fw: runs[fw][-1].get("loss") for fw in secs},
        "torch_threads": workers["torch"].hello.get("threads"),
        "ratio_vs_numpy": ratio(ours, secs["numpy"]),
        "ratio_vs_torch": ratio(ours, secs.get("torch")),
        "ratio_vs_sklearn": ratio(ours, secs.get("sklearn")),
        "cpu_ratio_vs_numpy": ratio(cpu["ours"], cpu["numpy"]),
        "seconds_per_epoch": {fw: ratio(v, w["epochs"]) for fw, v in secs.items()},
        "gflops": gflops,
        "matmul_peak_gflops": peak,
        "fraction_of_peak": ratio(gflops, peak),
        # CPU-time figures: immune to waiting for a core; exact in 1-thread mode
        "cpu_ratio_vs_torch": ratio(cpu["ours"], cpu.get("torch")),
        "cpu_gflops": cpu_gflops,
        "cpu_matmul_peak_gflops": cpu_peak,
        "cpu_fraction_of_peak": ratio(cpu_gflops, cpu_peak),
    }


def ratio(a, b):
    return None if a is None or b is None else a / b


def verdict(value, target, at_most=True) -> str:
    if value is None:
        return "n/a"
    return "ok" if (value <= target if at_most else value >= target) else "MISSED"


def figures(name: str, dtype: str, e: dict) -> list[dict]:
    """This entry's issue-17 figures: (figure, measured, target, verdict, load)."""
    out = []

    def add(fig, value, cpu_value, target, at_most=True, unit="×"):
        out.append(
            {
                "figure": f"{name} {dtype} {e['mode']}: {fig}",
                "measured": value,
                "cpu_measured": cpu_value,
                "target": target,
                "at_most": at_most,
                "unit": unit,
                "verdict": verdict(value, target, at_most),
                "load": e["load"]["median"],
            }
        )

    add("ours / plain NumPy", e["ratio_vs_numpy"], e["cpu_ratio_vs_numpy"], TARGET_NUMPY)
    if name == "wide":
        frac, cpu_frac = e["fraction_of_peak"], e["cpu_fraction_of_peak"]
        add("share of matmul peak", frac, cpu_frac, TARGET_PEAK[dtype], at_most=False, unit="")
    if name == "mnist":
        add(
            f"epoch / torch ({e['torch_threads']} thr)",
            e["ratio_vs_torch"],
            e["cpu_ratio_vs_torch"],
            TARGET_TORCH[name],
        )
    return out


def fmt(v, unit="") -> str:
    if v is None:
        return "n/a"
    return f"{100 * v:.0f} %" if unit == "" and v < 1.5 else f"{v:.2f}{unit}"


def main(argv: list[str]) -> None:
    if "--serve" in argv:
        i = argv.index("--serve")
        serve(*argv[i + 1 : i + 4])
        return
    if "--keep-blas-env" not in argv and any(v in os.environ for v in BLAS_VARS):
        env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
        print(f"re-executing with {', '.join(v for v in BLAS_VARS if v in os.environ)} unset", flush=True)
        os.execve(sys.executable, [sys.executable, __file__, *argv], env)
    repeat = 3
    if "--repeat" in argv:
        repeat = max(1, int(argv[argv.index("--repeat") + 1]))
    only = [a for a in argv if a in WORKLOADS] or list(WORKLOADS)
    modes = [a for a in argv if a in MODES] or list(MODES)
    print(f"python {sys.version.split()[0]}  cores {os.cpu_count()}  BLAS: {blas_info()}")
    print(f"medians of {repeat} interleaved rounds; modes {', '.join(modes)}; load = 1-min load average")
    result = {
        "blas": blas_info(),
        "repeat": repeat,
        "targets": {
            "vs_plain_numpy": TARGET_NUMPY,
            "wide_fraction_of_peak": TARGET_PEAK,
            "mnist_vs_torch": TARGET_TORCH["mnist"],
        },
        "workloads": {},
        "figures": [],
    }
    for name in only:
        for dtype in DTYPES:
            for mode in modes:
                e = measure(name, dtype, mode, repeat)
                result["workloads"].setdefault(name, {}).setdefault(dtype, {})[mode] = e
                s, c = e["seconds"], e["cpu_seconds"]
                print(
                    f"{name:6s} {dtype} {mode:8s} load {e['load']['median']:.1f}: "
                    + " | ".join(f"{fw} {fmt(v, ' s')} (cpu {fmt(c[fw], ' s')})" for fw, v in s.items())
                    + (f" | torch threads {e['torch_threads']}" if e["torch_threads"] else "")
                    + (
                        f" | {e['gflops']:.1f} GFLOP/s of peak {e['matmul_peak_gflops']:.1f}"
                        if e["matmul_peak_gflops"]
                        else ""
                    ),
                    flush=True,
                )
                for f in figures(name, dtype, e):
                    result["figures"].append(f)
                    op = "≤" if f["at_most"] else "≥"
                    print(
                        f"    {f['figure']}: {fmt(f['measured'], f['unit'])} "
                        f"(CPU time {fmt(f['cpu_measured'], f['unit'])}; "
                        f"target {op} {fmt(f['target'], f['unit'])}) {f['verdict']}",
                        flush=True,
                    )
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
