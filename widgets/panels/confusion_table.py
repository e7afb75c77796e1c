"""ConfusionTable: a classifier's accuracy line and confusion matrix on the
training set (rows = true class, columns = predicted), under the data plot."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ConfusionTable", "confusion_counts"]

EMPTY = "Accuracy: — (confusion matrix: rows = true class, columns = predicted)"


def confusion_counts(true: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """(k, k) int counts, rows = true class, columns = predicted; undecided (−1) rows left out."""
    cm = np.zeros((k, k), dtype=np.int64)
    decided = pred >= 0
    np.add.at(cm, (np.clip(true[decided], 0, k - 1), np.clip(pred[decided], 0, k - 1)), 1)
    return cm


class ConfusionTable(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.accuracy = QLabel(
            wordWrap=True, toolTip="Share of samples whose predicted class is the true one."
        )
        self.table = t = QTableWidget(
            toolTip="Confusion matrix on the training set: rows = true class, columns = predicted class."
        )
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        t.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        t.verticalHeader().setDefaultSectionSize(22)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setMinimumSectionSize(30)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.accuracy)
        lay.addWidget(t, 0, Qt.AlignmentFlag.AlignLeft)

    def set_classes(self, names) -> None:
        """Empty k × k table for these class names (k = len(names))."""
        t, k = self.table, len(names)
        self.accuracy.setText(EMPTY)
        t.setRowCount(k)
        t.setColumnCount(k)
        t.clearContents()
        t.setHorizontalHeaderLabels(list(names))
        t.setVerticalHeaderLabels(list(names))
        self._fit()

    def show_counts(
        self, cm: np.ndarray, n: int, undecided: int = 0, val_acc: float | None = None, at=None
    ) -> None:
        """Show the counts of ``n`` training rows (``undecided`` of them at exactly 0.5);
        ``at`` = (epoch, updates) of the weights counted, when known."""
        text = f"Training accuracy {100 * np.trace(cm) / max(n, 1):.1f} % ({np.trace(cm)}/{n})"
        if undecided:
            text += f"; {undecided} undecided (output exactly 0.5)"
        if val_acc is not None:
            text += f" · validation {100 * val_acc:.1f} %"
        if at is not None:
            text += f" · at epoch {at[0]:,} ({at[1]:,} updates)"
        text += "\nConfusion (training set): rows = true class, columns = predicted"
        self.accuracy.setText(text)
        top = max(int(cm.max()), 1)
        k = len(cm)
        for i in range(k):
            for j in range(k):
                item = QTableWidgetItem(str(cm[i, j]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if cm[i, j]:
                    a = int(40 + 160 * cm[i, j] / top)
                    item.setBackground(QColor(44, 160, 44, a) if i == j else QColor(214, 39, 40, a))
                self.table.setItem(i, j, item)
        self._fit()

    def counts(self) -> np.ndarray:
        """The counts shown: (k, k) int, rows = true class, columns = predicted."""
        k, item = self.table.rowCount(), self.table.item
        return np.array(
            [[int(item(i, j).text()) if item(i, j) else 0 for j in range(k)] for i in range(k)],
            dtype=np.int64,
        ).reshape(k, k)

    def _fit(self) -> None:
        t = self.table
        t.resizeColumnsToContents()
        frame = 2 * t.frameWidth()
        w = t.verticalHeader().sizeHint().width() + t.horizontalHeader().length() + frame
        h = t.horizontalHeader().sizeHint().height() + t.verticalHeader().length() + frame
        t.setFixedSize(w, h)
