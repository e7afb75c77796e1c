"""Live analyses for a training loop: health badges and the stability limit.

The training worker calls :meth:`LiveAnalyses.update` between updates (on its
own thread, on its own network): computing them there instead of on the GUI
thread matters in Python — a second thread doing many small NumPy calls
while the worker trains waits for the GIL at every call (measured: one
Hessian-vector product of a 2-64-64-64-1 network took 340 ms on the GUI
thread during training, ~2 ms alone). The cost is bounded: after a
computation that took t seconds the next waits max(``min_gap``, ``budget``·t),
i.e. at most 1/``budget`` of the worker's time.
"""

from __future__ import annotations

import time

from model.analysis.health import network_health
from model.analysis.stability import lambda_max

__all__ = ["LiveAnalyses"]


class LiveAnalyses:
    def __init__(
        self,
        budget: float = 20.0,
        min_gap: float = 0.5,
        steps: int = 8,
        clock=time.perf_counter,
        max_work: float = 5e7,
    ):
        self.budget, self.min_gap, self.steps, self.clock = budget, min_gap, steps, clock
        # λ_max costs 2·steps gradient passes over every sample; above ``max_work``
        # parameter·samples one would hold the worker (and a pause) for too long
        self.max_work = max_work
        self.next = 0.0
        self.vector = None  # the previous top eigenvector: a warm start

    def update(self, net, X, T, force: bool = False) -> dict | None:
        """{"health": HealthReport, "stability": StabilityResult | None} when due, else None."""
        now = self.clock()
        if not force and now < self.next:
            return None
        health = network_health(net, X, T)
        stab = None
        if sum(p.size for p in net.parameters()) * len(X) <= self.max_work:
            try:
                stab = lambda_max(net, X, T, v0=self.vector, max_iter=self.steps)
                self.vector = stab.vector
            except ValueError:
                stab = None
        self.next = self.clock() + max(self.min_gap, self.budget * (self.clock() - now))
        return {"health": health, "stability": stab}
