"""train_speed.py's runners: one whole training run per framework (ours, the
plain NumPy loop, PyTorch, scikit-learn), each recording every update's loss
as a Python float, and :func:`serve`, the persistent subprocess the driver
talks to (one JSON line per ``run`` request)."""

from __future__ import annotations

import json
import os
import sys
import time

from train_speed_machine import matmul_peak
from train_speed_workloads import ROOT, WORKLOADS, load_data


def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t0) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) since ``t0``."""
    return time.perf_counter() - t0[0], time.process_time() - t0[1]


#: The last run's update mode (model.train.update_modes; None: nothing to choose).
OURS_MODE: dict = {}


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
    tuner = getattr(getattr(tr, "_runner", None), "tuner", None)
    OURS_MODE["mode"] = getattr(tuner, "best", None)  # the update mode the tuner ended on
    OURS_MODE["tuner_rounds"] = getattr(tuner, "probes", None)  # rounds it ran in this run
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
    interleave frameworks round by round without re-importing anything.
    Ours keeps big freed blocks as the program's process does (app/__main__.py,
    model/nn/allocator.py; its figures measured the same either way: mnist
    float64, 1 thread, 1.31-1.57 s with, 1.31-1.57 s without); the plain loop and
    the other frameworks run as a plain script would (the plain loop allocates per
    operation and was ~7 % faster with the blocks kept: 1.29-1.45 s against 1.40-1.52)."""
    if fw == "ours":
        sys.path.insert(0, str(ROOT))
        from model.nn.allocator import keep_freed_memory

        keep_freed_memory()
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
                return {"seconds": wall, "cpu_seconds": cpu, "loss": loss, **OURS_MODE}

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
