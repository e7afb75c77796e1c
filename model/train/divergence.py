"""When is a run diverging?  Four conditions, each named in the message.

1. **non-finite**: a loss or a parameter is NaN or ±inf.
2. **magnitude**: a parameter is beyond :data:`MAGNITUDE_LIMIT` (no network
   this app teaches needs a weight of 10⁸; a run reaching it is blowing up
   even while its loss still looks finite).
3. **loss growth**: the loss exceeds ``factor`` × its starting value, measured
   from a floor — the loss of the best constant prediction of the targets.
   A ratio alone is the wrong test: the hand-wired XOR starts at 1e-9, and
   an edited weight giving 0.125 (the constant predictor's loss) is a
   setback, not a divergence.
4. **saturation**: the output units are saturated (sigmoid/tanh/softmax
   pinned at their bounds, so g′(b) ≈ 0 and the loss cannot move), the loss
   is no better than the constant prediction, and the updates have moved the
   parameters by more than :data:`STEP_RATIO_LIMIT` × their starting size
   (the saturation usually follows one exploding update, so the distance is
   measured from the run's start, not from the previous epoch).  A
   learning rate of 1e9…1e300 on sigmoid + mse does this: the loss sits at
   0.25 while the weights shoot to 1e298.

Pure NumPy; the trainer calls :func:`loss_floor` once and
:func:`check_epoch` once per epoch (the per-update test stays one compare).
"""

from __future__ import annotations

import math

import numpy as np

MAGNITUDE_LIMIT = 1e8
STEP_RATIO_LIMIT = 1e3
BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}
NEAR_BOUND = 1e-6  # an output this close to its bound has g'(b) below ~1e-6
_MIN_FLOOR = 1e-12
SATURATED = "the outputs are saturated"


def loss_floor(loss: str, T: np.ndarray) -> float:
    """The loss of predicting the per-output mean of ``T`` (n, k) for every sample.

    mse: ½·Σₖ var(tₖ); bce: mean binary entropy of the mean targets;
    cross_entropy: entropy of the class frequencies.  At least 1e-12.
    """
    T = np.asarray(T, np.float64)
    with np.errstate(all="ignore"):
        m = T.mean(axis=0)
        if loss == "mse":
            v = 0.5 * float(((T - m) ** 2).mean(axis=0).sum())
        else:
            p = np.clip(m, 1e-12, 1 - 1e-12)
            if loss == "bce":
                v = float(np.mean(-(m * np.log(p) + (1 - m) * np.log(1 - p))))
            else:
                v = float(-(m * np.log(p)).sum())
    return v if math.isfinite(v) and v > _MIN_FLOOR else _MIN_FLOOR


def loss_limit(factor: float, first_loss: float, floor: float) -> float:
    """The loss above which an update counts as divergence (never +inf)."""
    return min(factor * max(first_loss, floor), float(np.finfo(np.float64).max))


def output_saturated(V: np.ndarray | None, activation: str) -> bool:
    """True when most outputs of a bounded activation sit at their bounds."""
    bounds = BOUNDED.get(activation)
    if V is None or bounds is None or V.size == 0:
        return False
    lo, hi = bounds
    with np.errstate(invalid="ignore"):
        at = (V - lo <= NEAR_BOUND * (hi - lo)) | (hi - V <= NEAR_BOUND * (hi - lo))
    return bool(at.mean() >= 0.5)


def check_epoch(
    flat: np.ndarray,
    start: np.ndarray,
    loss: float,
    floor: float,
    V_out: np.ndarray | None,
    activation: str,
) -> str:
    """'' when the epoch is healthy, else which condition fired (plain words).

    A reason starting with :data:`SATURATED` means the weights were already
    blown up at an earlier, healthy-looking epoch: restore the run's start.

    ``flat``/``start``: all parameters now and when the run started;
    ``loss``: the epoch's mean loss; ``V_out``: the last batch's outputs.
    """
    with np.errstate(all="ignore"):
        # max and -min instead of abs(): no temporary the size of the network
        biggest = max(float(flat.max()), -float(flat.min())) if flat.size else 0.0
        if not math.isfinite(biggest) or not math.isfinite(loss):
            return "a non-finite parameter" if not math.isfinite(biggest) else "a non-finite loss"
        if biggest > MAGNITUDE_LIMIT:
            return f"a parameter reached {biggest:.3g}, beyond the limit of {MAGNITUDE_LIMIT:g}"
    if loss < floor or not output_saturated(V_out, activation):
        return ""
    with np.errstate(all="ignore"):
        moved = float(np.linalg.norm(flat - start))
        size = max(float(np.linalg.norm(start)), 1.0)
    if moved > STEP_RATIO_LIMIT * size:
        return (
            f"{SATURATED}, the loss is stuck at {loss:.3g} (no better than a "
            f"constant prediction) and the updates moved the weights {moved / size:.3g}× their "
            "starting size"
        )
    return ""


def growth_reason(loss: float, limit: float) -> str:
    """The message part for a per-update loss that failed ``loss <= limit``."""
    if not math.isfinite(loss):
        return "a non-finite loss"
    return f"loss {loss:.3g}, above the limit of {limit:.3g}"
