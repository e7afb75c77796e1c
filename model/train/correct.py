"""Counting correct predictions: class indices, or one output with an undecided band."""

from __future__ import annotations

import numpy as np

from model.teaching.decision_lines import UNDECIDED_TOL


def correct(pred: np.ndarray, labels: np.ndarray) -> int:
    """Correct predictions: class indices, or one output where |y − 0.5| ≤ UNDECIDED_TOL
    is undecided and counts as wrong for both classes (no flicker on rounding noise)."""
    if pred.dtype.kind != "f":
        return int(np.count_nonzero(pred == labels))
    return int(np.count_nonzero(np.where(labels, pred > 0.5 + UNDECIDED_TOL, pred < 0.5 - UNDECIDED_TOL)))


def count_correct(Y: np.ndarray, T: np.ndarray) -> int:
    if Y.shape[1] == 1:
        return correct(Y[:, 0], T[:, 0] > 0.5)
    return int(np.count_nonzero(Y.argmax(axis=1) == T.argmax(axis=1)))
