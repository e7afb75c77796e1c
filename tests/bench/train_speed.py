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
1-minute load average around the rounds.  Each run starts once the last
worker has stopped using the CPU (tests/bench/quiet.py: an OpenBLAS thread
spins ~0.1 s after its last gemm, which took a core from the next run).  Each ratio (and each share of the
peak) is the median of the rounds' own ratios: a round's runs follow each
other, so a streak of a faster or slower machine (0.2-1.5 s on the 2-core VM
of session 8) hits both; the ratio of the medians is in the JSON beside it.
Every figure is measured twice: ``default`` threads and ``1thread``
(OPENBLAS/OMP/MKL_NUM_THREADS=1 and ``torch.set_num_threads(1)``); on a
shared 2-core machine the 1-thread figures are the fairer ones (see MODES).  The matmul peak each wide/mnist
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
Since then a big update runs in the way the Trainer measures fastest on the
real updates (model/train/update_modes.py: serial with OpenBLAS's threads,
two single-threaded halves at once, or serial at one thread; re-measured as
the load changes), at default threads only; the plain loop keeps OpenBLAS's
threading.  With one thread nothing changes (the same serial path, parity).

The script in files by concept: the workloads, their data and work
(train_speed_workloads.py), the runners and the worker subprocess
(train_speed_runners.py), the machine's BLAS and matmul peak
(train_speed_machine.py); this file is the driver and the verdicts.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from blas_env import reexec_without_blas_vars  # noqa: E402
from quiet import wait_quiet  # noqa: E402
from train_speed_machine import blas_info  # noqa: E402
from train_speed_runners import serve  # noqa: E402
from train_speed_workloads import (  # noqa: E402, F401  (WORKLOADS, load_data: update_profile.py reads them here)
    DTYPES,
    ROOT,
    TARGET_NUMPY,
    TARGET_PEAK,
    TARGET_TORCH,
    WORKLOADS,
    flops_per_epoch,
    load_data,
)

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
        wait_quiet(self.proc.pid)

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
        out = self._read()
        wait_quiet(self.proc.pid)  # its BLAS / OpenMP threads stop spinning before the next run starts
        return out

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
        "ours_update_modes": [x.get("mode") for x in runs["ours"]],
        "ours_tuner_rounds": [x.get("tuner_rounds") for x in runs["ours"]],
        "torch_threads": workers["torch"].hello.get("threads"),
        # each ratio: the median of the rounds' own ratios (a round's runs follow each other,
        # so a streak of a faster or slower machine hits both); of the medians kept beside it
        "ratio_vs_numpy": paired(runs, "ours", "numpy"),
        "ratio_vs_torch": paired(runs, "ours", "torch"),
        "ratio_vs_sklearn": paired(runs, "ours", "sklearn"),
        "cpu_ratio_vs_numpy": paired(runs, "ours", "numpy", "cpu_seconds"),
        "ratio_of_medians_vs_numpy": ratio(ours, secs["numpy"]),
        "ratio_of_medians_vs_torch": ratio(ours, secs.get("torch")),
        "seconds_per_epoch": {fw: ratio(v, w["epochs"]) for fw, v in secs.items()},
        "gflops": gflops,
        "matmul_peak_gflops": peak,
        "fraction_of_peak": peak_share(runs, flops_per_epoch(w) * w["epochs"]),
        "fraction_of_peak_of_medians": ratio(gflops, peak),
        # CPU-time figures: immune to waiting for a core; exact in 1-thread mode
        "cpu_ratio_vs_torch": paired(runs, "ours", "torch", "cpu_seconds"),
        "cpu_gflops": cpu_gflops,
        "cpu_matmul_peak_gflops": cpu_peak,
        "cpu_fraction_of_peak": peak_share(runs, flops_per_epoch(w) * w["epochs"], "cpu_"),
    }


def paired(runs: dict, a: str, b: str, key: str = "seconds"):
    """The median over rounds of each round's ``a`` ÷ ``b`` (None without both)."""
    if a not in runs or b not in runs:
        return None
    return median([x[key] / y[key] for x, y in zip(runs[a], runs[b]) if x.get(key) and y.get(key)])


def peak_share(runs: dict, flops: float, cpu: str = ""):
    """The median over rounds of ours' GFLOP/s ÷ the matmul peak measured in the same round."""
    if "peak" not in runs:
        return None
    key = "cpu_seconds" if cpu else "seconds"
    pairs = [(x.get(key), p.get(cpu + "gflops")) for x, p in zip(runs["ours"], runs["peak"])]
    return median([flops / t / 1e9 / g for t, g in pairs if t and g])


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
    reexec_without_blas_vars(__file__, argv)
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
                        f" | our update mode {e['ours_update_modes']} (tuner rounds {e['ours_tuner_rounds']})"
                        if any(e["ours_update_modes"])
                        else ""
                    )
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
