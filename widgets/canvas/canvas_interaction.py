"""Mouse, keyboard and zoom handling of the network canvas, as a mixin.

:class:`CanvasInteraction` holds the event handlers of
:class:`~widgets.canvas.network_canvas.NetworkCanvas` (which inherits it ahead of
``QGraphicsView`` and owns the signals it emits): clicks select nodes or
edges, a left drag on empty space rubber-band selects, a middle drag pans,
the wheel zooms around the mouse, F fits, +/− zoom, Esc clears the selection,
a right click on a layer column opens its menu, hovering shows tooltips.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QMenu, QToolTip

from model.nn.activations import ACTIVATIONS
from widgets.canvas.node_item import NODE_RADIUS, NodeItem

__all__ = ["CanvasInteraction"]


class CanvasInteraction:
    """Event handlers, selection and the layer menu for a ``QGraphicsView``
    subclass with the NetworkCanvas attributes (``edge_layer``, ``_sizes``,
    ``_pos``, ``_lookup``, ``_acts``, selection state) and signals
    (``nodeSelected``, ``nodesSelected``, ``edgeSelected``, ``selectionCleared``
    and the layer requests)."""

    def contextMenuEvent(self, event) -> None:
        layer = self.layer_at(self.mapToScene(event.pos()))
        if layer is not None:
            self.layer_context_menu(layer).exec(event.globalPos())
        event.accept()

    # --------------------------------------------------------------- mouse
    def _item_at(self, pos) -> QGraphicsItem | None:
        """Top item under a viewport point, ignoring the edge layer."""
        for item in self.items(pos):
            if item is not self.edge_layer:
                return item
        return None

    def hit_at(self, pos):
        """What a viewport point is over: ``("node", l, i)``, ``("edge", l, i, j)`` or None."""
        item = self._item_at(pos)
        if isinstance(item, NodeItem):
            return ("node", item.layer, item.index)
        edge = self._edge_at(pos)
        return None if edge is None else ("edge", *self.edge_key(edge))

    def _edge_at(self, pos) -> int | None:
        tol = 5.0 / max(self.transform().m11(), 1e-9)  # 5 screen pixels
        return self.edge_layer.edge_at(self.mapToScene(pos), tol)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self._item_at(event.position().toPoint()) is None:
            edge = self._edge_at(event.position().toPoint())
            if edge is not None:
                self._set_selection(edge=edge)
                self.edgeSelected.emit(*self.edge_key(edge))
                event.accept()
                return
            self._band_active = True
            self._band_pending = self.edge_layer.highlighted is not None
            self.edge_layer.set_highlight(None)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            d = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(d.y()))
            self._auto_fit = False
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if self._band_active and event.button() == Qt.MouseButton.LeftButton:
            self._band_active = False
            if self._band_pending:
                self._band_pending = False
                self._report_selection()

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            item = self._item_at(event.position().toPoint())
            if isinstance(item, NodeItem):
                item.setToolTip(self.node_tooltip(item.layer, item.index))
            elif item is None:
                edge = self._edge_at(event.position().toPoint())
                if edge is None:
                    QToolTip.hideText()
                else:
                    QToolTip.showText(event.globalPos(), self.edge_tooltip(edge), self)
                return True
        return super().viewportEvent(event)

    # ----------------------------------------------------------- zoom, keys
    def zoom_by(self, factor: float, anchor_under_mouse: bool = True) -> None:
        s = self.transform().m11()
        factor = float(np.clip(s * factor, 0.02, 20.0)) / s
        self.setTransformationAnchor(
            QGraphicsView.ViewportAnchor.AnchorUnderMouse
            if anchor_under_mouse
            else QGraphicsView.ViewportAnchor.AnchorViewCenter
        )
        self.scale(factor, factor)
        self._auto_fit = False

    def wheelEvent(self, event) -> None:
        self.zoom_by(1.0015 ** event.angleDelta().y())
        event.accept()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_F:
            self.fit_view()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25, anchor_under_mouse=False)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(0.8, anchor_under_mouse=False)
        elif key == Qt.Key.Key_Escape:
            had = bool(self.selected_nodes()) or self.edge_layer.highlighted is not None
            self.clear_selection()
            if had:
                self.selectionCleared.emit()
        else:
            super().keyPressEvent(event)

    def fit_view(self) -> None:
        """Fit all nodes, leaving screen room for headers, handles and legend."""
        if not self._sizes:
            return
        pts = np.concatenate(self._pos)
        (x0, y0), (x1, y1) = pts.min(0) - NODE_RADIUS, pts.max(0) + NODE_RADIUS
        z = getattr(self, "zoom", 1.0)  # presentation zoom: bigger labels need more room
        side, top, bottom = 95.0 * z, 44.0 * z, 96.0 * z  # pixels
        top += getattr(self, "top_reserve", 0)  # the input-feature chips sit above the network
        vw, vh = self.viewport().width(), self.viewport().height()
        s = min((vw - 2 * side) / max(x1 - x0, 1.0), (vh - top - bottom) / max(y1 - y0, 1.0))
        s = float(np.clip(s, 0.05, 1.6 * z))
        self.setTransform(QTransform.fromScale(s, s))
        self.centerOn((x0 + x1) / 2, (y0 + y1) / 2 - (top - bottom) / (2 * s))
        self._auto_fit = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit_view()

    # ----------------------------------------------------------- selection
    def select_node(self, layer: int, index: int) -> None:
        self._set_selection(nodes=[(layer, index)])

    def select_edge(self, layer: int, i: int, j: int) -> None:
        self._set_selection(edge=self.edge_index(layer, i, j))

    def clear_selection(self) -> None:
        self._set_selection()

    def _set_selection(self, nodes=(), edge=None) -> None:
        self._suppress = True
        try:
            self._scene.clearSelection()
            for key in nodes:
                if key in self._lookup:
                    self._lookup[key].setSelected(True)
            self.edge_layer.set_highlight(edge)
        finally:
            self._suppress = False

    def _on_selection_changed(self) -> None:
        if self._suppress:
            return
        if self._band_active:
            self._band_pending = True  # rubber band in progress: report on release
            return
        self._report_selection()

    def _report_selection(self) -> None:
        nodes = self.selected_nodes()
        if nodes:
            self.edge_layer.set_highlight(None)
            if len(nodes) == 1:
                self.nodeSelected.emit(*nodes[0])
            else:
                self.nodesSelected.emit(nodes)
        elif self.edge_layer.highlighted is None:
            self.selectionCleared.emit()

    # ---------------------------------------------------------------- menu
    def layer_context_menu(self, layer: int) -> QMenu:
        """The right-click menu of a layer; its actions emit the requests."""
        menu = QMenu(self)
        last = len(self._sizes) - 1
        choices = getattr(self, "feature_choices", None)  # [(name, label, on)], set by the app
        if layer == 0 and choices:
            feats = QMenu("Input features", menu)  # parented: it lives as long as the menu
            menu.addMenu(feats)
            for name, label, on in choices:
                act = feats.addAction(label)
                act.setCheckable(True)
                act.setChecked(on)
                act.triggered.connect(lambda checked, n=name: self.inputFeatureToggled.emit(n, checked))
            menu.addSeparator()
        before = menu.addAction("Add hidden layer before")
        before.setEnabled(layer > 0)
        before.triggered.connect(lambda: self.addLayerRequested.emit(layer))
        after = menu.addAction("Add hidden layer after")
        after.setEnabled(layer < last)
        after.triggered.connect(lambda: self.addLayerRequested.emit(layer + 1))
        remove = menu.addAction("Remove layer")
        remove.setEnabled(0 < layer < last)
        remove.triggered.connect(lambda: self.removeLayerRequested.emit(layer))
        sub = menu.addMenu("Activation")
        sub.setEnabled(layer > 0)
        for name in ACTIVATIONS:
            act = sub.addAction(name)
            act.setCheckable(True)
            act.setChecked(layer > 0 and self._acts[layer - 1] == name)
            act.setEnabled(name != "softmax" or layer == last)  # the spec's rule
            act.triggered.connect(lambda _=False, n=name: self.activationRequested.emit(layer, n))
        return menu
