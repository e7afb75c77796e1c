"""The loss panel's per-update curve: every update's loss placed at its
fractional epoch, with TensorBoard-style smoothing in front of the raw curve.

``PerUpdateCurve`` is a mixin of ``LossPanel``: it uses the panel's
``per_update``/``smoothing`` controls, its ``updates_curve``/``smooth_curve``,
``_history``, ``_lengths``, ``_ema`` and ``_update_legend``/``_has_val``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QSlider

UPDATES = (47, 111, 223, 70)
UPDATES_FAINT = (47, 111, 223, 35)  # the raw per-update curve behind its smoothed line


def update_epochs(history, idx) -> np.ndarray:
    """Fractional epoch positions of update counts ``idx`` (update k ends at k).

    ``history["updates"][e]`` is the update count when epoch ``history["epoch"][e]``
    ended; between epoch ends positions are linear, beyond the last one they
    continue at the last epoch's rate.
    """
    idx = np.asarray(idx, dtype=float)
    n = min(len(history["epoch"]), len(history["updates"]))
    ep, up = history["epoch"][:n], history["updates"][:n]
    ok = np.isfinite(ep) & np.isfinite(up)
    ep, up = ep[ok], up[ok]
    if len(ep) == 0:
        return idx.copy()  # no epoch finished yet: one update per unit
    start_ep = ep[0] - 1
    start_up = up[0] - (up[1] - up[0] if len(up) > 1 else up[0])
    xs = np.concatenate([[max(start_up, 0.0)], up])
    ys = np.concatenate([[start_ep], ep])
    rate = (ys[-1] - ys[-2]) / max(xs[-1] - xs[-2], 1e-12)
    out = np.interp(idx, xs, ys)
    beyond = idx > xs[-1]
    out[beyond] = ys[-1] + (idx[beyond] - xs[-1]) * rate
    return out


class PerUpdateCurve:
    """The 'per update' check box, the smoothing slider and the curves they drive."""

    def _make_update_controls(self) -> None:
        self.per_update = QCheckBox("per update")
        self.per_update.setToolTip(
            "Also draw the loss of every single update (mini-batch or sample): "
            "stochastic and mini-batch descent are noisy"
        )
        self.per_update.toggled.connect(self._toggle_updates)
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(60)
        self.smoothing.setFixedWidth(70)
        self.smoothing.setToolTip(
            "Smoothing of the per-update curve (TensorBoard's debiased moving average, weight 0…0.99); "
            "the raw curve stays faint behind it. 0 = no smoothing."
        )
        self.smoothing.setVisible(False)  # only with the per-update curve: the row stays narrow
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        self.smoothing_label = QLabel("smooth 0.60", toolTip=self.smoothing.toolTip())
        self.smoothing_label.setVisible(False)

    def _smoothing_changed(self, value: int) -> None:
        self.smoothing_label.setText(f"smooth {value / 100:.2f}")
        self._lengths.pop("updates", None)
        if self.per_update.isChecked() and self._history is not None:
            self._set_update_data()

    def smoothing_weight(self) -> float:
        return self.smoothing.value() / 100.0

    def _toggle_updates(self, on: bool) -> None:
        self.updates_curve.setVisible(on)
        self.smooth_curve.setVisible(on and self.smoothing_weight() > 0)
        self.smoothing.setVisible(on)
        self.smoothing_label.setVisible(on)
        if on and self._history is not None:
            self._set_update_data()
        self._update_legend(self._has_val())

    def _set_update_data(self) -> None:
        h = self._history
        m = len(h.update_loss)
        if (
            self._lengths.get("updates") == m
            and self._lengths.get("updates_epochs") == self._lengths["epochs"]
        ):
            return
        self._lengths["updates"] = m
        self._lengths["updates_epochs"] = self._lengths["epochs"]
        # bounded however long the run: older updates come decimated (their min/max envelope)
        s = h.update_loss
        xs, y = s.curve()
        w = self.smoothing_weight()
        self.smooth_curve.setVisible(w > 0)
        self.updates_curve.setPen(pg.mkPen(UPDATES_FAINT if w > 0 else UPDATES, width=1))
        if w > 0:
            mx, my = s.mean_curve()  # the smoothed line follows the buckets' means
            self.smooth_curve.setData(update_epochs(h, mx), self._smoothed(my, w, (s.start, s.bucket)))
        self.updates_curve.setData(update_epochs(h, xs), y)

    def _smoothed(self, y: np.ndarray, w: float, layout=None) -> np.ndarray:
        """The EMA of ``y``, continuing from the last call when only points were added
        (``layout`` changes when older updates were decimated: then it starts over)."""
        from model.analysis.smoothing import ema_smooth

        done, state, key = self._ema
        if key != (w, layout) or len(done) > len(y):
            done, state = np.zeros(0), (0.0, 0)
        new, state = ema_smooth(y[len(done) :], w, state)
        done = np.concatenate([done, new])
        self._ema = (done, state, (w, layout))
        return done
