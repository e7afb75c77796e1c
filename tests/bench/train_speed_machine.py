"""train_speed.py's machine facts: which BLAS NumPy runs, and its matmul peak
(the rate each wide/mnist figure is a share of)."""

from __future__ import annotations

import time


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
