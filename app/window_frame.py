"""The main window's frame: the canvas, the forms and every dock, without pyqtgraph.

Importing pyqtgraph costs 0.3-0.4 s of a ~0.6 s start (more under load), so
the frame is built first, from widgets that do not need it: the canvas (a
QGraphicsView), the data, training and inspector forms, and the docks, where
the plots, the data plot, step-through and the neuron map will go holding
*placeholders* meanwhile. The window can be shown and exposed like that;
:meth:`WindowFrame.fill` then imports pyqtgraph and puts the real widgets in
the same places (the data plot into the same splitter slot, the others as the
docks' widgets), so nothing already on screen moves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QSplitter, QVBoxLayout, QWidget

from widgets.canvas.network_canvas import NetworkCanvas
from widgets.forms.data_panel import DataPanel
from widgets.forms.inspector import Inspector
from widgets.forms.training_panel import TrainingPanel

DATA_PLOT_MIN_HEIGHT = 260
#: dock key, title, area; the docks whose content needs pyqtgraph hold a placeholder until fill()
DOCKS = (
    ("data", "Data", Qt.DockWidgetArea.LeftDockWidgetArea),
    ("inspector", "Inspector", Qt.DockWidgetArea.RightDockWidgetArea),
    ("training", "Training", Qt.DockWidgetArea.RightDockWidgetArea),
    ("plots", "Plots", Qt.DockWidgetArea.BottomDockWidgetArea),
    ("stepthrough", "Step-through", Qt.DockWidgetArea.RightDockWidgetArea),
    ("neuron_map", "Neuron map", Qt.DockWidgetArea.RightDockWidgetArea),
)


def placeholder(min_height: int = 0) -> QWidget:
    """An empty, quiet stand-in for a panel that is being built (a fraction of a second)."""
    w = QLabel("")
    w.setObjectName("placeholder")
    w.setMinimumHeight(min_height)
    return w


class WindowFrame:
    """Builds ``win``'s frame and sets ``win.canvas``, ``data_panel``, ``training_panel``,
    ``inspector`` and ``docks``; :meth:`fill` adds ``dataset_view``, ``point_editor`` and ``plots``."""

    def __init__(self, win):
        self.win = win
        win.canvas = NetworkCanvas()
        win.setCentralWidget(win.canvas)
        win.data_panel = DataPanel()
        data_box = QWidget()
        lay = QVBoxLayout(data_box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(win.data_panel)
        self.split.addWidget(placeholder(DATA_PLOT_MIN_HEIGHT))
        self.split.setStretchFactor(1, 3)
        self.split.setCollapsible(0, False)
        # the form's wrapped description under-reports its height: never squeeze the form
        win.data_panel.setMinimumHeight(win.data_panel.sizeHint().height() + 24)
        lay.addWidget(self.split)
        win.training_panel = TrainingPanel()
        win.inspector = Inspector()
        content = {"data": data_box, "inspector": win.inspector, "training": win.training_panel}
        win.docks = {}
        for key, title, area in DOCKS:
            dock = QDockWidget(title, win)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(content.get(key) or placeholder())
            win.addDockWidget(area, dock)
            win.docks[key] = dock
        d = win.docks
        # side docks run the full height; the plots sit under the canvas only
        win.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        win.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        # Inspector above Training: the training form is in view on first start, not behind a tab
        win.splitDockWidget(d["inspector"], d["training"], Qt.Orientation.Vertical)
        win.tabifyDockWidget(d["training"], d["stepthrough"])
        win.tabifyDockWidget(d["stepthrough"], d["neuron_map"])
        d["inspector"].raise_()

    def fill(self, jobs) -> None:
        """Import pyqtgraph and put the data plot (with its point editor) and the
        plots dock in their places (step-through and the neuron map: app.teaching)."""
        from widgets.panels.dataset_view import DatasetView
        from widgets.panels.plots_dock import PlotsDock
        from widgets.panels.point_editor import PointEditor

        win = self.win
        win.dataset_view = DatasetView()
        win.dataset_view.setMinimumHeight(DATA_PLOT_MIN_HEIGHT)
        win.point_editor = PointEditor(win.dataset_view.plot)  # your own points, on the data plot
        win.dataset_view.layout().insertWidget(2, win.point_editor)
        self._replace(self.split.replaceWidget(1, win.dataset_view))
        win.plots = PlotsDock(jobs=jobs)
        self._replace(win.docks["plots"].widget())
        win.docks["plots"].setWidget(win.plots)

    @staticmethod
    def _replace(old: QWidget | None) -> None:
        if old is not None and old.objectName() == "placeholder":
            old.setParent(None)  # out of the window now, not at the next deferred delete
            old.deleteLater()
