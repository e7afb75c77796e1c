"""Timeline: the loss panel's scrubber through the history's keyframes.

Scrubbing shows a keyframe's network on the canvas, its decision regions and
a loss cursor at its epoch, without touching the document (training pauses
first). "Restore these weights" is one undoable edit; "Replay waves" sends the
waves through the keyframe's weights for the probe sample. Keyframes are
recorded by the trainer into the history (``model.train.keyframes``), so they
arrive with the snapshots' history rows.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject

from model.nn.network import Network
from model.nn.probe import probe

from .commands import NetworkCommand

GRID_RES = 64


class Timeline(QObject):
    def __init__(
        self, doc, controller, canvas, dataset_view, plots, teaching, apply_edit, refresh, parent=None
    ):
        super().__init__(parent)
        self.doc, self.controller, self.canvas = doc, controller, canvas
        self.dataset_view, self.teaching = dataset_view, teaching
        self.apply_edit, self.refresh_views = apply_edit, refresh
        self.loss = plots.panels["loss"]
        self.bar = self.loss.timeline
        self.shown: int | None = None  # keyframe index on screen, None = live
        self._seen = (None, -1)  # the keyframes the bar shows and their revision
        self.bar.frameChosen.connect(self.show_frame)
        self.bar.liveRequested.connect(self.go_live)
        self.bar.restoreRequested.connect(self.restore)
        self.bar.wavesRequested.connect(self.replay_waves)
        doc.changed.connect(lambda _kind: self.update_frames())
        doc.adopted.connect(lambda _snap: self.update_frames())
        self.update_frames()

    @property
    def keyframes(self):
        return self.doc.history.keyframes

    def update_frames(self) -> None:
        kf = self.keyframes
        # called every training frame: compare the revision, O(1), not the epochs
        if self._seen[0] is not kf or self._seen[1] != kf.revision:
            self._seen = (kf, kf.revision)
            self.bar.set_epochs(kf.epochs)
        if self.shown is not None and self.shown >= len(self.keyframes):
            self.go_live()

    def network_at(self, index: int) -> Network:
        f = self.keyframes[index]
        return Network(self.doc.spec, *f.copy_parameters())

    def show_frame(self, index: int) -> None:
        if not 0 <= index < len(self.keyframes):
            return
        if self.controller.running:
            self.controller.pause()
        self.shown = index
        frame, net = self.keyframes[index], self.network_at(index)
        d = self.doc
        self.canvas.set_weights(frame.weights, frame.biases)
        rec = probe(net, *d.probe())
        self.teaching.show_probe(rec)
        grid = self.dataset_view.grid_inputs(GRID_RES)
        if grid is not None:
            Xg, extent = grid
            out = net.predict(d.data.scaler.transform(Xg))
            r = int(round(math.sqrt(len(out))))
            vals = out.reshape(r, r, -1)
            self.dataset_view.set_grid_output(vals[..., 0] if vals.shape[2] == 1 else vals, extent)
            self.dataset_view.set_predictions(net.predict(d.data.X_train))
        self.loss.set_timeline_cursor(frame.epoch, frame.loss)

    def go_live(self) -> None:
        self.shown = None
        self.loss.set_timeline_cursor(None)
        self.refresh_views("weights")

    def restore(self, index: int) -> None:
        if not 0 <= index < len(self.keyframes):
            return
        frame = self.keyframes[index]
        W, B = frame.copy_parameters()
        doc = self.doc

        def push():
            doc.undo_stack.push(
                NetworkCommand(
                    doc,
                    f"Restore weights of epoch {frame.epoch}",
                    (doc.spec, W, B),
                    f"weights of epoch {frame.epoch} restored (Ctrl+Z undoes)",
                )
            )
            return f"weights of epoch {frame.epoch} restored"

        self.apply_edit(push)
        self.bar.go_live()

    def replay_waves(self, index: int) -> None:
        if self.shown is None or self.shown != index:
            self.show_frame(index)
        self.teaching.show_probe(probe(self.network_at(index), *self.doc.probe()))
        if not self.teaching.waves_action.isChecked():
            self.teaching.waves_action.setChecked(True)
        else:
            self.teaching.set_waves(True)
