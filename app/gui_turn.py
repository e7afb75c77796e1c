"""GuiTurn: the GUI thread's turn at the interpreter lock while it builds and paints a frame.

Python shares its lock between threads in 5 ms slices (``sys.getswitchinterval``):
while the GUI thread adopts a snapshot and paints, the training worker, wanting
the lock all the time, takes every other slice, so a frame's 8 ms of work took
15-25 ms of wall time (stall_trace: the GUI and worker CPU in a long gap add up
to the gap). A shorter interval only makes the slices smaller, not the GUI's
share larger. So the GUI marks its frames (:meth:`begin` when a frame's work
starts, :meth:`end` once its paints are done) and the worker, between updates,
waits out a marked frame with the lock released (:meth:`wait`). The lock is
then the GUI's within one update (~0.1 ms) of asking; the worker loses no
time it would have had, since the GUI's Python work and its own never ran at
once anyway. A frame counts as over after ``HOLD`` seconds whatever happens.

Measured with 2-64-64-64-1 training (tests/bench/gui_responsiveness.py stall,
A/B interleaved, 5 runs each at load 2-2.4): the longest heartbeat gap with the
waves median 39.2 -> 21.3 ms, the most GUI CPU in one gap 10.6-21 -> 6.3-9.8 ms,
updates/s 7,800 -> 9,000 (less lock ping-pong).

No Qt here: the worker thread uses it too.
"""

from __future__ import annotations

import time

__all__ = ["GuiTurn"]

HOLD = 0.03  # seconds: the longest a frame keeps the worker waiting
NAP = 0.0003  # the worker's sleep between looks (releases the lock)
# updates longer than this spend most of their time in BLAS with the lock released (mnist-size
# networks: 3-10 ms): the GUI does not wait for them, so they need not wait for the GUI
SHORT_UPDATE = 0.001


class GuiTurn:
    def __init__(self, clock=time.perf_counter, sleep=time.sleep):
        self._clock, self._sleep = clock, sleep
        self._until = 0.0  # the worker waits while the clock is before this
        self.waited = 0  # naps the worker took (a figure for tests and benches)

    def begin(self) -> None:
        """GUI thread: a frame's work starts."""
        self._until = self._clock() + HOLD

    def end(self) -> None:
        """GUI thread: the frame is painted."""
        self._until = 0.0

    @property
    def active(self) -> bool:
        return self._clock() < self._until

    def wait(self, last_update: float = 0.0) -> None:
        """Worker thread, between updates: sleep (lock released) while a frame is marked,
        unless its updates take longer than SHORT_UPDATE seconds (``last_update``)."""
        if last_update > SHORT_UPDATE:
            return
        while self._clock() < self._until:
            self.waited += 1
            self._sleep(NAP)
