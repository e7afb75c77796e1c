"""A memory budget checked before anything big is allocated.

:func:`estimate_run` adds up a training run's working set — parameters,
gradients and the trainer's two spare copies, the optimizer's state, the
training data and its augmented copy, one batch's activations, pre-activations,
error signals and derivative scratch, and the decision-map grid's forward
pass — and :func:`check_run` refuses a run that would exceed a share of the
physical memory, with the numbers and the largest mini-batch that would fit::

    needs about 190.8 GiB for a full batch of 1,000,000 × 4,096 (limit 11.8 GiB,
    half of the 23.5 GiB of memory); use mini-batches of at most 51,000

The share is :data:`DEFAULT_SHARE` unless the environment variable
``MLP_STUDIO_MEMORY_SHARE`` (a number in (0, 1]) says otherwise.  Pure
Python + ``/proc``; shared by the CLI, the GUI and the CSV importer.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

try:  # imported with this module, not on the GUI thread's first Play (~12 ms there)
    import resource
except ImportError:  # not on Windows
    resource = None

DEFAULT_SHARE = 0.5
ENV_SHARE = "MLP_STUDIO_MEMORY_SHARE"
_STATE_COPIES = {"sgd": 0, "momentum": 1, "nesterov": 1, "adagrad": 1, "rmsprop": 1, "adam": 2}


class MemoryBudgetError(ValueError):
    """A run or a file that would not fit in the memory budget (one line)."""


def physical_memory() -> int:
    """Bytes of RAM: MemTotal from /proc/meminfo (or sysconf), capped by the process's
    address-space limit and a cgroup limit."""
    total = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    total = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if not total:
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (OSError, ValueError, AttributeError):
            total = 8 << 30
    try:  # an address-space limit (ulimit -v) caps what this process can have
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if 0 < soft < total:
            total = soft
    except (AttributeError, OSError, ValueError):  # resource is None off Unix
        pass
    for cg in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(cg) as f:
                text = f.read().strip()
            if text.isdigit() and 0 < int(text) < total:
                total = int(text)
        except OSError:
            pass
    return total


def share() -> float:
    """The configured share of physical memory a run may use."""
    raw = os.environ.get(ENV_SHARE, "")
    try:
        v = float(raw)
    except ValueError:
        return DEFAULT_SHARE
    return v if math.isfinite(v) and 0 < v <= 1 else DEFAULT_SHARE


def limit_bytes() -> int:
    return int(physical_memory() * share())


def gib(n: float) -> str:
    if n >= 2**30:
        return f"{n / 2**30:,.1f} GiB"
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.01 else f"{x:.2g}"


@dataclass(frozen=True)
class Estimate:
    """Bytes of a run's working set; ``per_sample`` is what each sample of a batch costs."""

    fixed: int  # parameters, optimizer state, data, grid
    per_sample: int  # activations, error signals, scratch per sample of a batch
    batch: int

    @property
    def total(self) -> int:
        return self.fixed + self.per_sample * self.batch


def estimate_run(
    layer_sizes: list[int],
    n_samples: int,
    batch_size: int | None = None,
    optimizer: str = "sgd",
    itemsize: int = 8,
    grid_points: int = 0,
) -> Estimate:
    """The working set of training ``layer_sizes`` on ``n_samples`` samples."""
    sizes = [int(s) for s in layer_sizes]
    n = max(int(n_samples), 1)
    batch = n if batch_size is None else max(1, min(int(batch_size), n))
    params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    # parameters + gradients + the trainer's two copies (last healthy, start) + optimizer state
    fixed = params * itemsize * (4 + _STATE_COPIES.get(optimizer, 2))
    # X, its augmented copy, T (and an epoch-shuffled copy of the small ones)
    fixed += n * (2 * sizes[0] + 1 + sizes[-1]) * itemsize
    outs = sizes[1:]
    # per sample: the augmented input, Z, A (with the ones column), D and G per layer, Y
    per_sample = (sizes[0] + 1 + sum(4 * k + 1 for k in outs) + outs[-1]) * itemsize
    # the decision map: one forward pass over the grid (Z and V per layer)
    fixed += grid_points * 2 * sum(outs) * itemsize
    return Estimate(fixed, per_sample, batch)


def check_run(layer_sizes: list[int], n_samples: int, *args, limit: int | None = None, **kwargs) -> Estimate:
    """:func:`estimate_run` (same arguments), or MemoryBudgetError saying how much
    and what would fit.  ``limit``: bytes (default: the configured share of memory)."""
    est = estimate_run(layer_sizes, n_samples, *args, **kwargs)
    limit = limit_bytes() if limit is None else int(limit)
    if est.total <= limit:
        return est
    widest = max(layer_sizes[1:])
    what = (
        f"a full batch of {est.batch:,} × {widest:,}"
        if est.batch >= n_samples
        else f"mini-batches of {est.batch:,} × {widest:,}"
    )
    where = f"(limit {gib(limit)}, {_pct(share())} of the {gib(physical_memory())} of memory)"
    fits = (limit - est.fixed) // est.per_sample if est.per_sample else 0
    if fits >= 1:
        advice = f"use mini-batches of at most {_round_down(fits):,}"
    else:
        advice = "the network and data alone do not fit; use fewer samples or smaller layers"
    raise MemoryBudgetError(f"training needs about {gib(est.total)} for {what} {where}; {advice}")


def check_bytes(needed: int, what: str, limit: int | None = None) -> None:
    """MemoryBudgetError if ``needed`` bytes for ``what`` exceed the budget."""
    limit = limit_bytes() if limit is None else int(limit)
    if needed > limit:
        raise MemoryBudgetError(
            f"{what} needs about {gib(needed)}, more than the limit of {gib(limit)} "
            f"({_pct(share())} of the {gib(physical_memory())} of memory)"
        )


def _round_down(n: int) -> int:
    """A friendly batch size: two significant digits, never rounded up."""
    if n < 100:
        return int(n)
    p = 10 ** (len(str(int(n))) - 2)
    return int(n) // p * p


def check_training(spec, settings, n_samples: int, grid_points: int = 0) -> Estimate:
    """:func:`check_run` for a NetworkSpec and TrainSettings (duck-typed: layer_sizes,
    dtype; batch_size, optimizer)."""
    itemsize = 4 if getattr(spec, "dtype", "float64") == "float32" else 8
    return check_run(
        spec.layer_sizes, n_samples, settings.batch_size, settings.optimizer, itemsize, grid_points
    )
