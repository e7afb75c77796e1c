"""A data set's classes (or target range) as the data plot shows them.

Class count, names and colours, the points' brushes, the legend's text, the
class a prediction picks and the decision-region image of the network's
outputs; the palettes and lookup tables themselves are in :mod:`.class_colours`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from model.data.datasets import Dataset
from model.teaching.decision_lines import binary_decisions
from widgets.common.ui_roles import swatch
from widgets.panels.class_colours import (
    BINARY_COLORS,
    CLASS_PALETTE,
    HEAT_ALPHA,
    binary_lut,
    class_index_image,
    class_lut,
    colormap_lut,
)

LEGEND_HINT = "filled = training, hollow = validation"


def n_classes(train: Dataset) -> int:
    k = train.n_outputs
    return 2 if k == 1 else k


def class_names(train: Dataset) -> list[str]:
    names = list(train.class_names)
    k = n_classes(train)
    return names if len(names) == k else [str(i) for i in range(k)]


def class_colors(train: Dataset) -> list[str]:
    if n_classes(train) == 2 and train.n_outputs == 1:
        return list(BINARY_COLORS)
    return [CLASS_PALETTE[i % len(CLASS_PALETTE)] for i in range(n_classes(train))]


def target_levels(train: Dataset) -> tuple[float, float]:
    t = train.T[:, 0]
    lo, hi = float(t.min()), float(t.max())
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def predicted_classes(pred) -> np.ndarray | None:
    """Class per row of network outputs (n, k) or (n,); None for another shape."""
    p = np.asarray(pred, dtype=np.float64)
    if p.ndim == 1:
        p = p[:, None]
    if p.ndim != 2:
        return None
    # one output: exactly 0.5 (± rounding) is undecided (−1), neither class
    return binary_decisions(p[:, 0]) if p.shape[1] == 1 else np.argmax(p, axis=1)


def point_brushes(ds: Dataset, train: Dataset) -> list:
    """One brush per row of ``ds``, coloured by the training set's classes or target range."""
    if ds.task == "classification":
        cols = [pg.mkBrush(c) for c in class_colors(train)]
        return [cols[i % len(cols)] for i in ds.labels()]
    lut = pg.colormap.get("viridis").getLookupTable(nPts=64, alpha=False)
    lo, hi = target_levels(train)
    idx = np.clip(((ds.T[:, 0] - lo) / max(hi - lo, 1e-12) * 63).round(), 0, 63).astype(int)
    cache = [pg.mkBrush(*lut[i]) for i in range(64)]  # 64 bins keep the symbol atlas small
    return [cache[i] for i in idx]


def legend_html(train: Dataset) -> str:
    """The legend above the plot: class swatches, or the colour scale of the target."""
    if train.task == "classification":
        parts = [f"{swatch(c, '●')} {n}" for c, n in zip(class_colors(train), class_names(train))]
        return "&nbsp;&nbsp;".join(parts) + f"&nbsp;&nbsp;<i>({LEGEND_HINT})</i>"
    lo, hi = target_levels(train)
    return (
        f"colour = {train.target_names[0]} from {lo:.3g} (purple) to {hi:.3g} (yellow) <i>({LEGEND_HINT})</i>"
    )


def region_image(v: np.ndarray, train: Dataset) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """(image, lut, levels) of grid outputs (r, r) or (r, r, k), still in [iy, ix] order.

    Binary classification: a diverging map around 0.5; k > 1 classes: the
    argmax class's colour, opacity = confidence; regression: viridis over the targets.
    """
    r_y, r_x = v.shape[:2]
    task_cls = train.task == "classification"
    if task_cls and v.ndim == 3 and v.shape[2] > 1:
        lut, s = class_lut(v.shape[2])
        img, levels = class_index_image(v, s), (0.0, float(len(lut)))
    elif task_cls:
        lut, img, levels = binary_lut(), v.reshape(r_y, r_x).astype(np.float32), (0.0, 1.0)
    else:
        lut, levels = colormap_lut(HEAT_ALPHA), target_levels(train)
        img = (v if v.ndim == 2 else v[..., 0]).astype(np.float32)
    img = np.nan_to_num(img, nan=levels[0], posinf=levels[1], neginf=levels[0])
    return img, lut, levels
