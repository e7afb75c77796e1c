"""The benchmarks' BLAS environment: run with OpenBLAS's own kernel choice.

Some machines (this one and CI) set ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE``
(older OpenBLAS builds misbehave without them); they slow a current NumPy
(measured: a 768² f64 gemm at 104 GFLOP/s with them, 168 without), so a
benchmark re-executes itself with both unset (``--keep-blas-env`` keeps them)
and reports which kernel ran
(:func:`train_speed_machine.blas_info`).
"""

from __future__ import annotations

import os
import sys

BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
KEEP_FLAG = "--keep-blas-env"


def reexec_without_blas_vars(script: str, argv: list[str]) -> None:
    """Replace this process by ``script argv`` with :data:`BLAS_VARS` unset, unless
    none is set or ``argv`` holds :data:`KEEP_FLAG`; returns only when it does not."""
    present = [v for v in BLAS_VARS if v in os.environ]
    if KEEP_FLAG in argv or not present:
        return
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
    print(f"re-executing with {', '.join(present)} unset", flush=True)
    os.execve(sys.executable, [sys.executable, script, *argv], env)
