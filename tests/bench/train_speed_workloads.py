"""train_speed.py's workloads: the networks, data and settings timed, the issue's
targets, and the exact matmul work of an epoch (see train_speed.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
