"""Your own 2-D points on the data plot: click to add a point of the chosen
class (shift-click: the next class; regression: the chosen target value),
drag a point to move it, right-click to delete it.

The editor only reads the mouse and says what the person did (signals in
data coordinates and row indices of the whole data set); the app turns each
into one undo step on embedded data.  While "Edit points" is off the plot
behaves as before (click = choose the probe sample, drag = pan).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

__all__ = ["PointEditor", "HIT_RADIUS_PX"]

HIT_RADIUS_PX = 8.0


class PointEditor(QWidget):
    """A tool row (edit switch, class, target) steering mouse edits on ``plot`` (a PlotWidget).

    Signals: ``pointAdded(x, y, value)`` — value is the class index or the
    regression target; ``pointMoved(row, x, y)``; ``pointRemoved(row)``.
    """

    pointAdded = Signal(float, float, float)
    pointMoved = Signal(int, float, float)
    pointRemoved = Signal(int)

    def __init__(self, plot, parent=None):
        super().__init__(parent)
        self.plot = plot
        self.X: np.ndarray | None = None  # every row's raw (x1, x2), in the data set's order
        self.task = "classification"
        self._drag: int | None = None
        self._drag_moved = False
        self.edit_check = QCheckBox("Edit points")
        self.edit_check.setToolTip(
            "Click the plot to add a point of the chosen class (Shift+click: the next class), drag a point to "
            "move it, right-click to delete it. Each edit is one undo step; the data become embedded points."
        )
        self.class_combo = QComboBox(toolTip="The class a click adds")
        self.target_spin = QDoubleSpinBox(toolTip="The target value a click adds (regression)")
        self.target_spin.setRange(-1e6, 1e6)
        self.target_spin.setDecimals(3)
        self.target_label = QLabel("target")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.edit_check, self.class_combo, self.target_label, self.target_spin):
            row.addWidget(w)
        row.addStretch(1)
        plot.viewport().installEventFilter(self)
        self.set_points(None)

    # ------------------------------------------------------------------ feed
    def set_points(self, X, task: str = "classification", classes=()) -> None:
        """All rows' raw 2-D inputs (None: the data cannot be edited, e.g. not 2-D)."""
        self.X = None if X is None else np.asarray(X, float)
        self.task = task
        keep = self.class_combo.currentIndex()
        self.class_combo.clear()
        self.class_combo.addItems([str(c) for c in classes])
        if 0 <= keep < self.class_combo.count():
            self.class_combo.setCurrentIndex(keep)
        cls = task == "classification"
        self.class_combo.setVisible(cls)
        self.target_label.setVisible(not cls)
        self.target_spin.setVisible(not cls)
        self.setEnabled(self.X is not None)
        if self.X is None:
            self.edit_check.setChecked(False)

    @property
    def editing(self) -> bool:
        return self.edit_check.isChecked() and self.X is not None

    # ------------------------------------------------------------------ mouse
    def _data_pos(self, pos) -> QPointF:
        vb = self.plot.getPlotItem().getViewBox()
        return vb.mapSceneToView(self.plot.mapToScene(pos.toPoint() if hasattr(pos, "toPoint") else pos))

    def _hit(self, pos) -> int | None:
        """The row whose marker is within HIT_RADIUS_PX of the widget position ``pos``."""
        if self.X is None or not len(self.X):
            return None
        vb = self.plot.getPlotItem().getViewBox()
        pts = [self.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y))) for x, y in self.X]
        d = np.hypot([p.x() - pos.x() for p in pts], [p.y() - pos.y() for p in pts])
        i = int(np.argmin(d))
        return i if d[i] <= HIT_RADIUS_PX else None

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if not self.editing:
            return False
        t = ev.type()
        if t == QEvent.Type.MouseButtonPress:
            pos = ev.position()
            hit = self._hit(pos)
            if ev.button() == Qt.MouseButton.RightButton:
                if hit is not None:
                    self.pointRemoved.emit(hit)
                return True
            if ev.button() == Qt.MouseButton.LeftButton:
                if hit is not None:
                    self._drag, self._drag_moved = hit, False
                else:
                    p = self._data_pos(pos)
                    self.pointAdded.emit(p.x(), p.y(), self._value(ev.modifiers()))
                return True
        elif t == QEvent.Type.MouseMove and self._drag is not None:
            self._drag_moved = True
            return True
        elif t == QEvent.Type.MouseButtonRelease and self._drag is not None:
            row, self._drag = self._drag, None
            if self._drag_moved:
                p = self._data_pos(ev.position())
                self.pointMoved.emit(row, p.x(), p.y())
            return True
        return t in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick)

    def _value(self, modifiers) -> float:
        if self.task != "classification":
            return float(self.target_spin.value())
        k = max(self.class_combo.count(), 1)
        c = max(self.class_combo.currentIndex(), 0)
        if modifiers & Qt.KeyboardModifier.ShiftModifier:
            c = (c + 1) % k
        return float(c)
