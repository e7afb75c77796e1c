"""Gradient check panel: backprop's ∂E/∂w beside a central-difference estimate.

For the canvas selection (an edge = a weight, a node = its threshold) the
check runs at once (four forward passes); "Check whole network" runs every
parameter (or a sample per layer) in the background and fills a per-layer
table. This ties the chain rule to the real network: the backprop column is
what the Chain rule tab derives, the difference column needs no calculus.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QSpinBox, QTableWidget, QTableWidgetItem

from model.nn.gradcheck import TOLERANCE, check_network, check_parameter
from widgets.common.background import JobView
from widgets.common.themed_widgets import set_item_fill, set_rich, set_sheet

__all__ = ["GradCheckPanel"]

HEADERS = ["layer ℓ", "parameters checked", "largest relative error", "largest |difference|", "verdict"]


class GradCheckPanel(JobView):
    intro = (
        "Select an edge (a weight) or a node (its threshold θ) on the canvas to compare backprop's ∂E/∂w "
        "with a central difference; or check every layer."
    )

    def __init__(self, parent=None, jobs=None):
        super().__init__(parent, jobs=jobs)
        self._problem = None
        self._selection = None
        self.run_button.setText("Check whole network")
        self.run_button.setToolTip(
            "Compare backprop with central differences for every parameter, layer by layer"
        )
        self.per_layer = QSpinBox()
        self.per_layer.setRange(0, 100_000)
        self.per_layer.setValue(200)
        self.per_layer.setSpecialValueText("all")
        self.add_input(
            "per layer:", self.per_layer, "Parameters checked per layer (0 = all; 4 forward passes each)"
        )
        self.finish_controls()
        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        self.selection_label.setTextInteractionFlags(self.selection_label.textInteractionFlags())
        self.body.addWidget(self.selection_label)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.body.addWidget(self.table, 1)
        self.last_check = None  # the ParamCheck shown for the selection

    # ------------------------------------------------------------------ feed
    def set_problem(self, net, X, T) -> None:
        self._problem = (net.copy(), X, T)
        self._show_selection()

    def set_selection(self, sel) -> None:
        """``("edge", l, i, j)`` = weights[l][i, j]; ``("node", layer, i)`` = biases[layer-1][i]."""
        self._selection = sel
        self._show_selection()

    def _show_selection(self) -> None:
        sel, prob = self._selection, self._problem
        self.last_check = None
        if prob is None or not sel or sel[0] not in ("edge", "node") or (sel[0] == "node" and sel[1] == 0):
            self.selection_label.setText("No weight or threshold selected.")
            return
        net, X, T = prob
        try:
            if sel[0] == "edge":
                c = check_parameter(net, X, T, "w", sel[1], sel[2], sel[3])
                what = f"∂E/∂{c.label}"
            else:
                c = check_parameter(net, X, T, "bias", sel[1] - 1, sel[2])
                what = f"∂E/∂b for {c.label} (θ = −b, so ∂E/∂θ = {-c.analytic:.6g})"
        except (IndexError, ValueError):
            self.selection_label.setText("The selection is not in the current network.")
            return
        self.last_check = c
        verdict = "agree" if c.ok else f"DISAGREE (above {TOLERANCE:g})"
        set_rich(
            self.selection_label,
            f"<b>{what}</b>: backprop <b>{c.analytic:.9g}</b> · central difference <b>{c.numeric:.9g}</b>"
            f" · relative error <b>{c.rel_error:.2e}</b> — {verdict}"
            f"<br><span style='color:@hint'>mean loss over all {len(X)} training samples "
            "(the inspector's ∂E/∂w is the probe sample's)</span>",
        )
        set_sheet(self.selection_label, "" if c.ok else "color: @error;")

    # ------------------------------------------------------------ JobView
    def job_function(self):
        if self._problem is None:
            raise ValueError("no network yet")
        net, X, T = self._problem
        net = net.copy()  # the job perturbs its own copy
        k = self.per_layer.value() or None

        def work(should_stop, progress):
            return check_network(net, X, T, max_per_layer=k, should_stop=should_stop, progress=progress)

        return work

    def show_result(self, result) -> None:
        rows = result.table()
        self.table.setRowCount(len(rows))
        for r, (row, lay) in enumerate(zip(rows, result.layers)):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                set_item_fill(item, "good_fill" if lay.ok else "error_fill")
                if lay.worst is not None:
                    w = lay.worst
                    item.setToolTip(
                        f"worst: {w.label}: backprop {w.analytic:.9g}, difference {w.numeric:.9g}"
                    )
                self.table.setItem(r, c, item)

    def summary(self, result) -> str:
        if result.ok:
            return f"Backprop agrees with central differences everywhere (largest relative error {result.max_rel_error:.1e})."
        bad = [str(lay.layer) for lay in result.layers if not lay.ok]
        return f"Backprop and the differences DISAGREE in layer {', '.join(bad)} (largest relative error {result.max_rel_error:.1e})."
