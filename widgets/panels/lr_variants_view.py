"""GD variants: batch, stochastic and mini-batch gradient descent side by side, with the lecture's table."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from model.analysis import sweeps
from widgets.common.themed import Pen, paint
from widgets.common.themed_widgets import set_item_ink
from widgets.common.ui_roles import swatch

from .lr_common import DIVERGED, VARIANT_COLOURS, ProblemJobView, auto_log_y, make_plot

__all__ = ["VariantsView"]


class VariantsView(ProblemJobView):
    intro = (
        "Batch, stochastic and mini-batch gradient descent from the same start with the same η: "
        "per epoch, per update and per second of compute."
    )

    def __init__(self, panel):
        super().__init__(panel)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(50)
        self.batch = QSpinBox()
        self.batch.setRange(1, 1_000_000)
        self.batch.setValue(32)
        self.add_input("epochs", self.epochs, "Epochs per variant")
        self.add_input("mini-batch", self.batch, "Mini-batch size b (clipped to n/2)")
        self.add_start_choice()
        self.finish_controls()
        self.plots = [
            make_plot("Loss vs epoch", "epoch", "loss"),
            make_plot("Loss vs updates", "updates", "loss", log_x=True),
            make_plot("Loss vs time", "seconds", "loss"),
        ]
        self.legend = QLabel()
        self.body.addWidget(self.legend)
        row = QHBoxLayout()
        for p in self.plots:
            p.setMinimumWidth(150)  # three side by side inside a laptop's plots dock, no sideways scroll
            row.addWidget(p)
        self.table = QTableWidget(0, len(sweeps.VariantsResult.TABLE_HEADER))
        self.table.setHorizontalHeaderLabels(list(sweeps.VariantsResult.TABLE_HEADER))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setFixedHeight(
            self.table.horizontalHeader().sizeHint().height() + 3 * 22 + 2 * self.table.frameWidth() + 2
        )  # all three rows, no scrolling
        self.body.addLayout(row, 1)
        self.body.addWidget(self.table)

    def job_function(self):
        p = self.problem()
        k, b = self.epochs.value(), self.batch.value()
        net = self.start_net(p)
        return lambda stop, prog: sweeps.gd_variants(net, p.X, p.T, p.settings, k, b, stop, prog, task=p.task)

    def show_result(self, r: sweeps.VariantsResult) -> None:
        for p in self.plots:
            p.clear()
            auto_log_y(p, *[run.loss for run in r.runs])
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp;".join(
                f"{swatch(VARIANT_COLOURS[run.name])} {run.name} (b = {run.batch_size:,})" for run in r.runs
            )
        )
        for run in r.runs:
            pen = pg.mkPen(VARIANT_COLOURS[run.name], width=2)
            name = f"{run.name} (b = {run.batch_size})"
            loss = np.maximum(run.loss, 1e-300)
            self.plots[0].plot(run.epochs, loss, pen=pen, name=name, connect="finite")
            self.plots[1].plot(run.updates[1:], loss[1:], pen=pen, connect="finite")
            self.plots[2].plot(run.seconds, loss, pen=pen, connect="finite")
        for run in r.runs:
            if run.diverged:  # an explicit mark where the run stopped
                k = run.diverged_at
                last = run.loss[:k][np.isfinite(run.loss[:k])]
                y = max(float(last[-1]) if len(last) else float(run.loss[0]), 1e-300)
                for p, x in zip(
                    self.plots, (k, run.updates[min(k, len(run.updates) - 1)], run.seconds[k - 1])
                ):
                    paint(
                        p.plot([x], [y], pen=None, symbol="x", symbolSize=13),
                        symbolPen=Pen(DIVERGED, width=2),
                    )
        rows = r.table_text()
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, t in enumerate(row):
                item = QTableWidgetItem(t)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if j == 0:
                    set_item_ink(item, VARIANT_COLOURS[row[0]])  # made to read on the table
                if j == 3 and r.runs[i].diverged:
                    set_item_ink(item, "error")
                self.table.setItem(i, j, item)

    def summary(self, r) -> str:
        t = self.start_text()
        return f"{t[:1].upper()}{t[1:]}. {r.summary()}"
