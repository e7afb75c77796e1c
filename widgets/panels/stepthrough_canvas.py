"""How the step-through panel drives the network canvas it is attached to: the
stage's picture (reached layers' values, the forward or backward edge overlay,
the highlighted node), ← → on the canvas, stage-aware hover text, and a click
on a node of the current layer showing that node's equation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QToolTip

from model.teaching.stepthrough import Stage, describe_edge, describe_node

__all__ = ["StageCanvasLink"]


class StageCanvasLink(QObject):
    """Binds one :class:`StepThroughPanel` to one canvas at a time (``attach``)."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.canvas = self._viewport = None

    def attach(self, canvas) -> None:
        if self.canvas is not None:
            self.canvas.removeEventFilter(self)
            self._viewport.removeEventFilter(self)
            self.canvas.nodeSelected.disconnect(self._on_canvas_node)
        self.canvas, self._viewport = canvas, canvas.viewport()
        canvas.installEventFilter(self)
        self._viewport.installEventFilter(self)
        canvas.nodeSelected.connect(self._on_canvas_node)

    def drive(self, st: Stage) -> None:
        """The stage's picture, through the canvas's one teaching method."""
        p = self.panel
        walk = p.walk
        if st.kind == "new_weights":
            weights, edges = (st.weights_after, st.biases_after), None
        else:
            weights = (walk.W, walk.B)
            edges = None if st.edge_mode is None else (st.edge_values, st.edge_mode, st.edge_scale)
        selected = None
        if st.layer is not None and st.equations and p._highlight is not None:
            selected = (st.layer, p._highlight)
        # layers not reached yet are None: neutral fill, no number
        self.canvas.show_stage(list(st.node_values), weights, edges, selected)

    def _on_canvas_node(self, layer: int, index: int) -> None:
        st = self.panel.stage
        if st is not None and st.layer == layer and index != self.panel._highlight:
            self.panel.set_highlight(index)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # look at the event type first and touch no canvas method otherwise:
        # the filter also sees the events of a canvas being torn down
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ToolTip) or self.panel.walk is None:
            return False
        cv = self.canvas
        if obj is cv and kind == QEvent.Type.KeyPress:
            return self.panel.handle_key(event.key())
        if obj is self._viewport and kind == QEvent.Type.ToolTip:
            text = self.hover_text(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, cv)
            else:
                QToolTip.hideText()
            return True
        return False

    def hover_text(self, pos) -> str:
        """Stage-aware tooltip for a canvas viewport point ("" over empty space)."""
        hit = self.canvas.hit_at(pos)
        if hit is None:
            return ""
        return (describe_node if hit[0] == "node" else describe_edge)(self.panel.stage, *hit[1:])
