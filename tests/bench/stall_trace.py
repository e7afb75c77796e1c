"""Where a GUI-thread stall goes: a sampler thread that records, every millisecond,
the GUI thread's Python stack and the CPU clocks of the GUI and training threads,
then sums the samples inside the longest heartbeat gaps (gui_stall.py's
``stall_trace`` measurement).

Each sample interval is put down to the GUI thread's innermost frame of ours
(app/, widgets/, model/, pyqtgraph) under the slot it entered from, and split
into *running* (its CPU clock advanced) and *waiting* (it did not: the GIL held
by another thread, or no free core). The sampler needs the GIL too, so a sample
lands when the GUI thread gives it up: the figures are a profile, not a clock.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict

from gui_bench_common import ROOT

OURS = (str(ROOT / "app"), str(ROOT / "widgets"), str(ROOT / "model"), "pyqtgraph")
PERIOD = 0.001


def _cpu(ident: int | None) -> float:
    if ident is None:
        return 0.0
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (OSError, ProcessLookupError):
        return 0.0


def _where(frame) -> str:
    """'entry > innermost' of the frames of ours on the stack ('event loop' when none)."""
    names = []
    while frame is not None:
        f = frame.f_code.co_filename
        if any(o in f for o in OURS):
            short = f.split("/site-packages/")[-1].replace(str(ROOT) + "/", "")
            names.append(f"{short.rsplit('.', 1)[0].replace('/', '.')}.{frame.f_code.co_name}")
        frame = frame.f_back
    if not names:
        return "event loop (Qt C++ or the bench's pump)"
    return names[0] if len(names) == 1 else f"{names[-1]} > {names[0]}"


class StackSampler(threading.Thread):
    def __init__(self, gui_ident: int):
        super().__init__(daemon=True, name="stall-sampler")
        self.gui_ident = gui_ident
        self.worker_ident: int | None = None
        self.samples: list[tuple[float, float, float, str]] = []  # t, GUI CPU, worker CPU, where
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            frame = sys._current_frames().get(self.gui_ident)
            where = _where(frame)
            del frame
            self.samples.append((time.perf_counter(), _cpu(self.gui_ident), _cpu(self.worker_ident), where))
            time.sleep(PERIOD)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def breakdown(self, t0: float, t1: float, top: int = 6) -> dict:
        """The samples within [t0, t1]: GUI and worker CPU there, and per place ms running / waiting."""
        inside = [s for s in self.samples if t0 <= s[0] <= t1]
        places: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (ta, ga, _, where), (tb, gb, _, _) in zip(inside, inside[1:]):
            run = min(gb - ga, tb - ta)
            places[where][0] += 1000 * run
            places[where][1] += 1000 * (tb - ta - run)
        ranked = sorted(places.items(), key=lambda kv: -sum(kv[1]))[:top]
        return {
            "gui_cpu_ms": 1000 * (inside[-1][1] - inside[0][1]) if len(inside) > 1 else None,
            "worker_cpu_ms": 1000 * (inside[-1][2] - inside[0][2]) if len(inside) > 1 else None,
            "samples": len(inside),
            "places_ms_running_waiting": [[w, round(r, 1), round(q, 1)] for w, (r, q) in ranked],
        }
