"""One GUI frame marked on a turn (app/gui_turn.py's GuiTurn, duck-typed: ``begin``/``end``).

The training worker waits out a marked frame, so the frame's Python work and
repaints have the interpreter lock to themselves. The end is a zero-timer
posted after the work: Qt delivers posted events in order, so it runs after
the scene updates and repaints the work asked for.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

__all__ = ["turn_frame"]


def turn_frame(turn, context, work):
    """Run ``work()`` as one frame of ``turn`` (None: just run it); ``context`` a QObject
    that owns the posted end (it goes with the object)."""
    if turn is None:
        return work()
    turn.begin()
    try:
        return work()
    finally:
        QTimer.singleShot(0, context, turn.end)
