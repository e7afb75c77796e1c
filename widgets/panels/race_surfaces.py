"""The race panel's error surfaces: the analytic ones and the real network's loss
(two chosen weights, two random directions), their grids computed in the
background (a new request cancels the last), the live path of the training
network, and the stale mark once the network or data moved on."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

from model.analysis.loss_slices import NetworkSlice, RandomDirections
from model.analysis.surfaces import AnalyticSurface, GridCancelled, display_values, get_surface, grid
from widgets.common.contours import contour_segments
from widgets.common.stamp import analysis_stamp, mark_stale

__all__ = ["RaceSurfaces", "NET_SLICE", "NET_DIRS", "ANALYTIC_RES", "NETWORK_RES", "LIVE_MAX"]

NET_SLICE, NET_DIRS = "network_slice", "random_directions"
ANALYTIC_RES, NETWORK_RES = 161, 81
LIVE_MAX = 4000


class RaceSurfaces:
    """Mixed into :class:`~widgets.panels.optimizer_panel.OptimizerPanel` (its combo,
    plot items, jobs and state): everything about the surface under the race."""

    def set_network(self, net, X, T) -> None:
        """Enable the network surfaces for a copy of ``net`` and the data X, T."""
        self._net = net.copy()
        self._X, self._T = np.array(X, dtype=float), np.array(T, dtype=float)
        self._stamp = analysis_stamp(net.spec, self._X, self._T)
        sizes = self._net.layer_sizes
        if self._chosen is None or not self._chosen_fit():
            self._chosen = (
                ((0, 0, 0), (0, 0, 1))
                if sizes[1] > 1
                else ((0, 0, 0), (0, 1, 0))
                if sizes[0] > 1
                else ((0, 0, 0), (1, 0, 0))
            )
        self._surfaces.pop(NET_SLICE, None)
        self._surfaces.pop(NET_DIRS, None)
        self._live = {NET_SLICE: [], NET_DIRS: []}
        self._enable_network_items(True)
        if self.combo.currentData() in (NET_SLICE, NET_DIRS):
            self._load_surface()
        self._update_stale()

    def set_chosen_weights(self, w1, w2) -> None:
        """The two weights (layer, i, j) of the "two chosen weights" surface."""
        self._chosen = (tuple(int(v) for v in w1), tuple(int(v) for v in w2))
        self._surfaces.pop(NET_SLICE, None)
        self._live[NET_SLICE] = []
        if self._net is not None:
            self._make_surface(NET_SLICE)  # validates the indices now
            if self.combo.currentData() == NET_SLICE:
                self._load_surface()

    def set_live_weights(self, weights) -> None:
        """Append the training network's current point to the live path."""
        if self._net is None:
            return
        (l1, i1, j1), (l2, i2, j2) = self._chosen
        self._append_live(NET_SLICE, (float(weights[l1][i1, j1]), float(weights[l2][i2, j2])))
        if NET_DIRS in self._surfaces:
            self._append_live(NET_DIRS, self._surfaces[NET_DIRS].project(weights))
        self._draw_live()

    @property
    def live_points(self) -> np.ndarray:
        """(k, 2) live path on the current network surface (empty otherwise)."""
        pts = self._live.get(self.combo.currentData(), [])
        return np.array(pts, dtype=float).reshape(-1, 2)

    # ------------------------------------------------------------ surfaces
    def _enable_network_items(self, on: bool) -> None:
        for key in (NET_SLICE, NET_DIRS):
            item = self.combo.model().item(self.combo.findData(key))
            item.setEnabled(on)
            item.setToolTip("" if on else "Build or load a network first")

    def _chosen_fit(self) -> bool:
        try:
            NetworkSlice(self._net, self._X[:1], self._T[:1], *self._chosen)
            return True
        except ValueError:
            return False

    def _update_stale(self) -> None:
        """A race on a network surface belongs to the network and data its grid was
        computed for; once they change (or while the new grid computes) it is stale."""
        on_net = self.combo.currentData() in (NET_SLICE, NET_DIRS)
        mark_stale(self.plot, on_net and (not self._grid_ready or self._shown_stamp != self._stamp))

    def _make_surface(self, key):
        if key not in self._surfaces:
            if key in (NET_SLICE, NET_DIRS):
                self._surface_stamps[key] = self._stamp
            if key == NET_SLICE:
                self._surfaces[key] = NetworkSlice(self._net, self._X, self._T, *self._chosen)
            elif key == NET_DIRS:
                self._surfaces[key] = RandomDirections(self._net, self._X, self._T, seed=0)
            else:
                self._surfaces[key] = get_surface(key)
        return self._surfaces[key]

    def _start_grid(self, s) -> None:
        """Compute the surface's grid; a new request cancels the previous one."""
        self.jobs.cancel("loss-surface")
        self._job = None
        self._grid_ready = False
        if isinstance(s, AnalyticSurface):
            self._show_grid(s, grid(s, ANALYTIC_RES))
            return
        self.image.clear()
        self.isolines.setData([], [])
        self._update_stale()

        def work(should_stop, progress):  # worker thread: reads the surface's private copies only
            try:
                return grid(s, NETWORK_RES, progress=progress, cancelled=should_stop)
            except GridCancelled:
                return None

        job = self._job = self.jobs.create(work, self, "loss-surface-grid", replace="loss-surface")
        job.progress.connect(lambda f: self.progress.setText(f"computing loss surface… {f:.0%}"))
        job.finished.connect(lambda result: self._grid_done(job, s, result))
        job.failed.connect(lambda msg: self._grid_failed(job, msg))
        self.progress.setText("computing loss surface… 0%")
        job.start()

    def _grid_done(self, job, s, result) -> None:
        if job is self._job and result is not None:
            self._job = None
            self._show_grid(s, result)

    def _grid_failed(self, job, msg: str) -> None:
        if job is self._job:  # shown in the progress label, never raised in a thread
            self._job = None
            self.progress.setText(f"could not compute the surface: {msg}")

    def _show_grid(self, s, result) -> None:
        X, Y, Z = result
        D = display_values(Z, s.log_display)
        xs, ys = X[0], Y[:, 0]
        lo, hi = float(D.min()), float(np.percentile(D, 99.5))
        hx, hy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
        self.image.setImage(D.astype(np.float32), levels=(lo, hi), autoLevels=False)
        self.image.setRect(QRectF(xs[0] - hx, ys[0] - hy, xs[-1] - xs[0] + 2 * hx, ys[-1] - ys[0] + 2 * hy))
        self.isolines.setData(*contour_segments(xs, ys, D, np.linspace(lo, hi, 16)[1:-1]))
        self.progress.setText("")
        self._grid_ready = True
        self._shown_stamp = self._surface_stamps.get(self.combo.currentData())
        self._update_stale()

    def _draw_live(self) -> None:
        pts = self.live_points
        self.live_path.setVisible(len(pts) > 0)
        self.live_path.setData(pts[:, 0], pts[:, 1])

    def _append_live(self, key, point) -> None:
        pts = self._live[key]
        pts.append(point)
        if len(pts) > LIVE_MAX:  # keep the whole trajectory at half the density
            self._live[key] = pts[::2]
