"""FeatureStrip: TensorFlow Playground's input features as chips on the canvas.

A compact row in the canvas's top-left corner: for 2-D data one checkable
chip per candidate input (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂); a checked
chip is an input node of the network. For other data, one "Inputs…" button
that asks for the dialog (products and powers of chosen columns).

It only shows the document and emits requests: ``featureToggled(name, on)``
and ``dialogRequested()``; the app turns them into undoable edits. The canvas
keeps the strip's height free above the network when it fits the view
(``top_reserve``), so no node hides behind a chip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolButton, QWidget

from model.data.features import candidate_features, display_name
from widgets.common.themed_widgets import set_sheet

__all__ = ["FeatureStrip", "chip_text", "FEATURE_TIPS"]

FEATURE_TIPS = {
    "^2": "its square: a bowl-shaped input, lets one unit draw a circle",
    "*": "the product of the two: XOR is linear in x₁, x₂ and x₁x₂",
    "sin(": "its sine: a wavy input, for stripes",
}

BASE_PT = 9.0  # the chips' text at presentation zoom 1


def chip_style(zoom: float = 1.0) -> str:
    """Round chips whose corners and padding grow with the presentation zoom; colour
    roles (widgets/common/ui_roles.py), resolved again on every theme switch."""
    return (
        f"QToolButton {{ border: 1px solid @outline; border-radius: {round(9 * zoom)}px;"
        f" padding: {round(zoom)}px {round(7 * zoom)}px; }}"
        "QToolButton:checked { background: @accent; color: @accent_text; border-color: @accent; }"
    )


def chip_text(name: str) -> str:
    """x1 -> x₁, x1*x2 -> x₁·x₂, x1^2 -> x₁², sin(x1) -> sin x₁."""
    return display_name(name)


def _tip(name: str) -> str:
    for key, tip in FEATURE_TIPS.items():
        if key in name:
            return f"{chip_text(name)}: {tip}. Click to switch this input node on or off (undoable)."
    return f"{chip_text(name)}: a raw input. Click to switch this input node on or off (undoable)."


class FeatureStrip(QWidget):
    """Signals: ``featureToggled(str name, bool on)``, ``dialogRequested()``."""

    featureToggled = Signal(str, bool)
    dialogRequested = Signal()

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.setObjectName("feature_strip")
        # a font of its own, grown by set_zoom with the presentation zoom (the canvas then
        # refits the network below the taller strip: see event())
        self.zoom = 1.0
        self._base_pt = QApplication.font().pointSizeF() if QApplication.font().pointSizeF() > 0 else BASE_PT
        self.setFont(QFont(QApplication.font()))
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(6, 4, 6, 2)
        self._row.setSpacing(4)
        self.title = QLabel("Inputs:")
        self.title.setToolTip("The network's input nodes. Engineered features are inputs of their own.")
        self._row.addWidget(self.title)
        self.chips: dict[str, QToolButton] = {}
        self.more = QToolButton(text="Choose…")
        self.more.setToolTip("Choose the input features: columns, their powers and products")
        self.more.clicked.connect(self.dialogRequested.emit)
        self._row.addWidget(self.more)
        self._columns: list[str] = []

    def set_features(self, columns, features) -> None:
        """Show the raw ``columns`` and the chosen ``features`` (None = the raw columns); emits nothing."""
        columns = list(columns)
        chosen = list(features) if features is not None else columns
        names = candidate_features(columns) if len(columns) == 2 else []
        names += [n for n in chosen if n not in names and len(columns) == 2]
        if columns != self._columns or list(self.chips) != names:
            self._columns = columns
            for chip in self.chips.values():
                chip.deleteLater()
            self.chips = {}
            for name in names:
                chip = QToolButton(text=chip_text(name), checkable=True)
                chip.setObjectName(f"feature_chip:{name}")
                set_sheet(chip, chip_style(self.zoom))
                chip.setToolTip(_tip(name))
                chip.toggled.connect(lambda on, n=name: self.featureToggled.emit(n, on))
                self._row.insertWidget(self._row.count() - 1, chip)
                self.chips[name] = chip
        for name, chip in self.chips.items():
            chip.blockSignals(True)
            chip.setChecked(name in chosen)
            chip.blockSignals(False)
        self.more.setVisible(not self.chips)  # 2-D data: the chips are the whole choice
        self.title.setText("Inputs:" if self.chips else f"Inputs: {len(chosen)}")
        # the same choice in the input layer's right-click menu
        self.canvas.feature_choices = [(n, chip_text(n), n in chosen) for n in self.chips]
        self._fit()

    def set_zoom(self, zoom: float) -> None:
        """Presentation zoom: the chips' text, padding and corners grow (and shrink back)."""
        self.zoom = float(zoom)
        font = QFont(self.font())
        font.setPointSizeF(self._base_pt * self.zoom)
        self.setFont(font)
        for chip in self.chips.values():
            set_sheet(chip, chip_style(self.zoom))
        self._fit()

    def event(self, event) -> bool:
        # the strip's size follows its font, style and chips a layout pass later: keep the
        # canvas's reserved room in step then too, not only when the features change
        out = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return out

    def _fit(self) -> None:
        self.adjustSize()
        self.move(0, 0)
        reserve = self.sizeHint().height()
        if reserve != getattr(self.canvas, "top_reserve", None):
            self.canvas.top_reserve = reserve
            if getattr(self.canvas, "_auto_fit", False):
                self.canvas.fit_view()  # the network moves below the grown (or shrunk) strip
