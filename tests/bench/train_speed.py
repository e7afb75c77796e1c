"""Training speed: the project's Trainer against a plain NumPy loop, PyTorch and scikit-learn.

Run from the repository root::

    python tests/bench/train_speed.py            # all workloads, float64 and float32
    python tests/bench/train_speed.py --quick    # one repeat instead of three

PyTorch and scikit-learn are benchmark-only (not project dependencies); the
script runs without them and prints ``null`` for what is missing.  To compare
against them, run it with an interpreter that has them, e.g. a separate venv::

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install torch==2.13.0 scikit-learn numpy threadpoolctl
    /tmp/benchvenv/bin/python tests/bench/train_speed.py

Some machines set ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` (older OpenBLAS
builds misbehave without them); they slow a current NumPy, so the script
re-executes itself with both unset (``--keep-blas-env`` keeps them) and
reports which BLAS kernel ran.

Each (workload, dtype, framework) runs in its own subprocess so that one
library's thread pools (OpenMP spin-waiting, MKL) cannot slow another.  Times
are the best of ``--repeat`` runs of the whole training loop (data already in
memory, model built, no import time).  Every framework records the loss of
each update as a Python float, as the Trainer's history does.

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

WORKLOADS = {
    "tiny": dict(
        sizes=[2, 8, 8, 1],
        acts=["tanh", "tanh", "sigmoid"],
        loss="mse",
        n=200,
        batch=10,
        epochs=100,
        opt="sgd",
        lr=0.1,
        hyper={},
    ),
    "digits": dict(
        sizes=[64, 128, 64, 10],
        acts=["relu", "relu", "softmax"],
        loss="cross_entropy",
        n=1797,
        batch=32,
        epochs=20,
        opt="adam",
        lr=1e-3,
        hyper={},
    ),
    "wide": dict(
        sizes=[784, 256, 128, 10],
        acts=["relu", "relu", "softmax"],
        loss="cross_entropy",
        n=10_000,
        batch=128,
        epochs=3,
        opt="momentum",
        lr=0.01,
        hyper={"momentum": 0.9},
    ),
}
# issue 17: MNIST-size, generated in-process (model/data/strokes.py); the wide net with Adam
WORKLOADS["mnist"] = {**WORKLOADS["wide"], "n": 60_000, "epochs": 1, "opt": "adam", "lr": 1e-3, "hyper": {}}
TARGET_TORCH = {"tiny": 0.25, "digits": 0.5, "wide": 1.0, "mnist": 1.0}
TARGET_SKLEARN = {"tiny": 0.5, "digits": 0.75, "wide": 1.0, "mnist": 1.0}
TARGET_NUMPY = 1.0  # issue 17: never slower than the plain NumPy loop (tests/bench/plain_numpy.py)
TARGET_PEAK = {"float32": 0.5, "float64": 0.55}  # wide: fraction of NumPy's matmul peak
FRAMEWORKS = ("ours", "numpy", "torch1", "torch", "sklearn")
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
def run_ours(w, X, T, dtype):
    sys.path.insert(0, str(ROOT))
    from model.nn.network import Network, NetworkSpec
    from model.train.trainer import Trainer, TrainSettings

    net = Network(NetworkSpec(w["sizes"], w["acts"], loss=w["loss"], seed=0, dtype=dtype))
    s = TrainSettings(
        optimizer=w["opt"], lr=w["lr"], hyper=w["hyper"], batch_size=w["batch"], epochs=w["epochs"], seed=0
    )
    tr = Trainer(net, X, T, s)
    t0 = time.perf_counter()
    tr.train()
    dt = time.perf_counter() - t0
    return dt, float(tr.history["train_loss"][-1])


def run_numpy(w, X, T, dtype):
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    import plain_numpy

    t0 = time.perf_counter()
    _, _, hist = plain_numpy.train(
        w["sizes"], w["acts"], w["loss"], X, T, w["opt"], w["lr"], w["hyper"], w["batch"], w["epochs"]
    )
    dt = time.perf_counter() - t0
    per_epoch = -(-len(X) // w["batch"])
    return dt, float(sum(hist[-per_epoch:]) / per_epoch)


def run_torch(w, X, T, dtype, threads):
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
    t0 = time.perf_counter()
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
    dt = time.perf_counter() - t0
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
        t0 = time.perf_counter()
        clf.fit(X, y)
        dt = time.perf_counter() - t0
    return dt, float(clf.loss_)


def worker(name: str, dtype: str, fw: str, repeat: int) -> dict:
    w = WORKLOADS[name]
    X, T = load_data(name, dtype)
    try:
        if fw == "ours":
            fn = lambda: run_ours(w, X, T, dtype)  # noqa: E731
        elif fw == "numpy":
            fn = lambda: run_numpy(w, X, T, dtype)  # noqa: E731
        elif fw in ("torch", "torch1"):
            import torch  # noqa: F401  (ImportError -> null)

            fn = lambda: run_torch(w, X, T, dtype, 1 if fw == "torch1" else 0)  # noqa: E731
        else:
            import sklearn  # noqa: F401

            fn = lambda: run_sklearn(w, X, T, dtype)  # noqa: E731
    except ImportError:
        return {"seconds": None, "loss": None}
    best, loss = float("inf"), None
    for _ in range(repeat):
        dt, loss = fn()
        best = min(best, dt)
    extra = {}
    if fw.startswith("torch"):
        import torch

        extra["threads"] = torch.get_num_threads()
    return {"seconds": best, "loss": loss, **extra}


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
            "architecture": None,
            "numpy": np.__version__,
        }
    except Exception:  # noqa: BLE001  (older numpy)
        return {"source": "unknown", "numpy": np.__version__}


def matmul_peak(dtype: str, n: int = 2048, repeat: int = 3) -> float:
    """NumPy's own matmul rate on large square matrices, GFLOP/s."""
    import numpy as np

    a = np.random.default_rng(0).random((n, n)).astype(dtype)
    a @ a
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def child(args: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--worker", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        return {"seconds": None, "error": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def ratio(a, b):
    return None if a is None or b is None else a / b


def main(argv: list[str]) -> None:
    if "--worker" in argv:
        i = argv.index("--worker")
        what = argv[i + 1]
        if what == "machine":
            peaks = {dt: matmul_peak(dt) for dt in DTYPES}
            print(json.dumps({"blas": blas_info(), "matmul_peak_gflops": peaks}))
        else:
            name, dtype, fw, repeat = argv[i + 1 : i + 5]
            print(json.dumps(worker(name, dtype, fw, int(repeat))))
        return
    if "--keep-blas-env" not in argv and any(v in os.environ for v in BLAS_VARS):
        env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
        print(f"re-executing with {', '.join(v for v in BLAS_VARS if v in os.environ)} unset", flush=True)
        os.execve(sys.executable, [sys.executable, __file__, *argv], env)
    repeat = 1 if "--quick" in argv else 3
    only = [a for a in argv if a in WORKLOADS] or list(WORKLOADS)
    machine = child(["machine"])
    print(f"python {sys.version.split()[0]}  cores {os.cpu_count()}  BLAS: {machine['blas']}")
    print(
        "NumPy matmul peak (2048², all threads): "
        + ", ".join(f"{dt} {g:.1f} GFLOP/s" for dt, g in machine["matmul_peak_gflops"].items())
    )
    result = {
        "blas": machine["blas"],
        "matmul_peak_gflops": machine["matmul_peak_gflops"],
        "targets": {
            "vs_torch_default_threads": TARGET_TORCH,
            "vs_sklearn": TARGET_SKLEARN,
            "wide_fraction_of_peak": TARGET_PEAK,
            "vs_plain_numpy": TARGET_NUMPY,
        },
        "workloads": {},
    }
    for name in only:
        w = WORKLOADS[name]
        for dtype in DTYPES:
            r = {fw: child([name, dtype, fw, str(repeat)]) for fw in FRAMEWORKS}
            secs = {fw: r[fw].get("seconds") for fw in FRAMEWORKS}
            ours = secs["ours"]
            gflops = flops_per_epoch(w) * w["epochs"] / ours / 1e9 if ours else None
            peak = machine["matmul_peak_gflops"][dtype]
            entry = {
                "seconds": secs,
                "loss": {fw: r[fw].get("loss") for fw in FRAMEWORKS},
                "ratio_vs_torch1": ratio(ours, secs["torch1"]),
                "ratio_vs_torch": ratio(ours, secs["torch"]),
                "ratio_vs_sklearn": ratio(ours, secs["sklearn"]),
                "ratio_vs_numpy": ratio(ours, secs["numpy"]),
                "seconds_per_epoch": {fw: ratio(v, w["epochs"]) for fw, v in secs.items()},
                "torch_default_threads": r["torch"].get("threads"),
                "gflops": gflops,
                "fraction_of_peak": gflops / peak if gflops else None,
            }
            result["workloads"].setdefault(name, {})[dtype] = entry
            fmt = lambda v: "   n/a " if v is None else f"{v:7.3f}"  # noqa: E731
            rt, rs = entry["ratio_vs_torch"], entry["ratio_vs_sklearn"]
            ok_t = "" if rt is None else (" ok" if rt <= TARGET_TORCH[name] else " MISSED")
            ok_s = "" if rs is None else (" ok" if rs <= TARGET_SKLEARN[name] else " MISSED")
            rn = entry["ratio_vs_numpy"]
            ok_n = "" if rn is None else (" ok" if rn <= TARGET_NUMPY else " MISSED")
            print(
                f"{name:6s} {dtype}: ours {fmt(ours)} s | plain numpy {fmt(secs['numpy'])} s "
                f"(ours/numpy {fmt(rn)}, target ≤{TARGET_NUMPY}{ok_n}) | torch-1t {fmt(secs['torch1'])} s | "
                f"torch-{entry['torch_default_threads'] or '?'}t {fmt(secs['torch'])} s | "
                f"sklearn {fmt(secs['sklearn'])} s"
            )
            print(
                f"       ratio vs torch default {fmt(rt)} (target ≤{TARGET_TORCH[name]}){ok_t}, "
                f"vs torch 1t {fmt(entry['ratio_vs_torch1'])}, vs sklearn {fmt(rs)} "
                f"(target ≤{TARGET_SKLEARN[name]}){ok_s}; {gflops:.2f} GFLOP/s = "
                f"{100 * entry['fraction_of_peak']:.0f}% of matmul peak"
                + (f" (target ≥{100 * TARGET_PEAK[dtype]:.0f}%)" if name == "wide" else ""),
                flush=True,
            )
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
