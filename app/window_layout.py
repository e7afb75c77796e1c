"""The main window's place on the screen and its first dock layout.

First start: as large as the screen allows (up to 1400×900) and centred; a
restored geometry (maybe from a bigger monitor) is clamped to this screen.
On a short (laptop) first window the plots run under the canvas and the
Training column and the Inspector becomes a tab (:meth:`WindowLayout.arrange_docks`).
Everything here needs only the window's frame (app/window_frame.py), so it is
in place before the window is first shown, whatever is still being built.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTabBar

PREFERRED_SIZE = QSize(1400, 900)
LAPTOP_HEIGHT = 900  # a first window shorter than this gets the laptop layout (WindowLayout.arrange_docks)


def plots_height(window_height: int) -> int:
    """The plots dock's first height: 45 % of a short (laptop) window, 40 % of a tall one."""
    return max(300, int(window_height * (0.45 if window_height < LAPTOP_HEIGHT else 0.4)))


def fit_rect(rect: QRect, avail: QRect) -> QRect:
    """``rect`` shrunk to ``avail`` and moved inside it."""
    w, h = min(rect.width(), avail.width()), min(rect.height(), avail.height())
    x = min(max(rect.x(), avail.x()), avail.right() + 1 - w)
    y = min(max(rect.y(), avail.y()), avail.bottom() + 1 - h)
    return QRect(x, y, w, h)


def place_new_window(win) -> None:
    """No saved geometry: as large as the screen allows, up to 1400×900, centred."""
    screen = win.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    avail = screen.availableGeometry()
    size = PREFERRED_SIZE.boundedTo(avail.size())
    win.resize(size)
    win.move(
        avail.x() + (avail.width() - size.width()) // 2, avail.y() + (avail.height() - size.height()) // 2
    )


class WindowLayout:
    """Collaborators: the window, its docks (app/window_frame.py) and canvas (a selection
    raises the Inspector in the laptop layout)."""

    def __init__(self, win, docks: dict, canvas):
        self.win, self.docks, self.canvas = win, docks, canvas
        self.compact = False  # the laptop layout (arrange_docks)

    # ------------------------------------------------------------ geometry
    def place_window(self, restored: bool) -> None:
        """First start: as large as the screen allows, up to 1400×900; a restored
        geometry (maybe from a bigger monitor) is clamped to this screen."""
        if (self.win.screen() or QGuiApplication.primaryScreen()) is None:
            return
        if restored and self.docks["training"] in self.win.tabifiedDockWidgets(self.docks["inspector"]):
            self._compact_layout()  # a layout saved in the laptop arrangement
        if not restored:
            place_new_window(self.win)
        self.clamp_to_screen()

    def clamp_to_screen(self) -> None:
        win = self.win
        screen = win.screen() or QGuiApplication.primaryScreen()
        if screen is None or win.isFullScreen():
            return
        avail = screen.availableGeometry()
        frame = win.frameGeometry()
        if avail.contains(frame):
            return
        extra = QSize(frame.width() - win.width(), frame.height() - win.height())
        target = fit_rect(frame, avail)
        win.resize(
            QSize(target.width() - extra.width(), target.height() - extra.height()).expandedTo(QSize(1, 1))
        )
        win.move(target.topLeft())

    def arrange_docks(self) -> None:
        """First start (no saved layout): dock sizes for this window. On a short laptop
        window the plots are what is short of room (at 1366×768 the loss plot was
        642×106 px): they run under the canvas *and* the Training column, half as wide
        again, and take 45 % of the height; the Inspector becomes a tab beside Training,
        Step-through and Neuron map, raised when something is selected on the canvas."""
        w, d = self.win, self.docks
        if w.height() < LAPTOP_HEIGHT and not self.compact:
            w.tabifyDockWidget(d["neuron_map"], d["inspector"])
            self._compact_layout()
        d["training"].raise_()
        if self.compact:  # the right column as wide as its four tabs, the canvas as before
            right = max(320, self._tabs_width(d["inspector"]))
            w.resizeDocks([d["data"], d["training"]], [380 - (right - 320), right], Qt.Orientation.Horizontal)
        else:
            w.resizeDocks([d["data"], d["inspector"]], [380, 320], Qt.Orientation.Horizontal)
        w.resizeDocks([d["plots"]], [plots_height(w.height())], Qt.Orientation.Vertical)

    def _compact_layout(self) -> None:
        """The laptop layout's parts a saved window state does not hold: the plots'
        corner and raising the Inspector on a selection."""
        if self.compact:
            return
        self.compact = True
        self.win.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.canvas.nodeSelected.connect(self._inspect)
        self.canvas.edgeSelected.connect(self._inspect)

    def _tabs_width(self, dock) -> int:
        """Width of the dock-area tab bar holding ``dock``'s tab, every tab unelided."""
        for bar in self.win.findChildren(QTabBar):
            titles = [bar.tabText(i) for i in range(bar.count())]
            if bar.parent() is self.win and dock.windowTitle() in titles:
                return sum(bar.tabSizeHint(i).width() for i in range(bar.count())) + 4
        return 0

    def _inspect(self, *_selection) -> None:
        """Laptop layout: the Inspector, a tab beside Training, comes to the front to show the selection."""
        dock = self.docks["inspector"]
        if dock.isVisible() and not dock.isFloating() and self.win.tabifiedDockWidgets(dock):
            dock.raise_()
