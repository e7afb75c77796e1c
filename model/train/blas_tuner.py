"""How a training loop should run its updates, measured while it trains.

On a small machine a multi-threaded gemm is only fast while every one of its
threads has a core: OpenBLAS splits each product into equal parts and waits
for the slowest, so one other busy thread (the GUI's painting, another
process) stalls the whole update.  Measured on a 2-core machine at load ~2
(784-256-128-10, batch 128, float64): 18-44 ms per update with 2 BLAS
threads, 4.8 ms with 1; with the machine to itself 2 threads win, and
splitting the update in two single-threaded halves (model.nn.parallel_update)
wins ~4× under load but loses to OpenBLAS's own threads when quiet.  No
setting is right everywhere, so :class:`UpdateTuner` measures the candidates
(:mod:`model.train.update_modes`) on the real updates: they take turns, one
update each, until each has ``probe_updates`` timings (taking turns, a burst
of load hits them alike; the first update of a round is a warm-up), keeps
the first candidate (they come cheapest first: fewest cores) whose median
wall time per update is within ``margin`` of the fastest, and measures again
every ``reprobe_seconds`` (a quarter of it when the choice uses more than one
core: the load changes).  The cost is bounded: the candidates that lose run
``probe_updates`` updates per round, and one far slower sits out the rest
of a round after two (or one) of them; and the wait to the next round is
the round's extra cost over ``PROBE_SHARE`` (1 %), at least ``MIN_INTERVAL``:
a round that cost little (a near tie, or a cheap choice made during a
passing burst of load, which otherwise held for the whole interval) is
repeated within a second or so.  A tuner's second round follows its first
after ``FIRST_RECHECK`` (0.05 s) unless the first chose the last candidate
(the most threads): a process idle a moment before met the second core
waking in its first round, and the one-thread choice then held for the whole
of a short run.  A waking core only ever slows the many-thread candidates, so
their win needs no second look (a round costs ~3 % of a 0.35 s run).
Likewise a round that chose fewer threads while a candidate with more had an
update ``MIXED_GAIN`` faster than the choice's median (the second core there
at times) is followed by another after ``MIXED_RECHECK``, doubling while that
goes on.  A candidate so cut off early is thin evidence (one update that met a passing
burst: the window's first frames while the GUI starts took the 2-thread
update from 3 to 84 ms, and the 1-thread choice then held for 20 s, training
at 0.6× the headless rate), so
such a round is followed by another after 2 s, then 4, 8, … up to the usual
interval while the cut-offs go on.  Tuners given the same ``key`` (the
same network shape, batch and dtype) share their last choice: a new one
starts from it until its next round is due; after that, a choice of the
most threads is checked on the new one's first updates instead of a round
(only more load can have made it worse, and that shows in its own times):
the next run of a 0.2 s training measured again in each one paid ~8 % for it.

Only the update's own work is timed (:meth:`begin` … :meth:`end` around it),
so pauses and whatever the caller does between updates never count.  The
one tuner serves the headless Trainer and the GUI's training worker alike
(the worker trains through a Trainer).  A candidate applies itself only
inside an update (BLAS limited there, put back after), so nothing between
updates, nor any other thread's work, sees a changed BLAS thread count.
"""

from __future__ import annotations

import time

__all__ = [
    "UpdateTuner",
    "VERIFY_SLACK",
    "SWITCH_WARMUP",
    "MARGIN",
    "CHECK_EVERY",
    "RECHECK",
    "PROBE_SHARE",
    "MIN_INTERVAL",
    "FIRST_RECHECK",
    "MIXED_RECHECK",
]

#: A candidate later in the list (more cores) must be this much faster per update to be chosen.
MARGIN = 1.03
#: A candidate at least this much slower than another (its fastest update against the
#: other's, over two of its updates; twice this over one) sits out the rest of the round:
#: under load OpenBLAS's 2 threads took 80 ms an update where one thread took 10.
DROP = 2.0
#: Seconds to the next round after one that cut a candidate off early (doubling while
#: rounds keep cutting one off, up to the usual interval).
RECHECK = 2.0
#: Seconds from a tuner's first round to its second when the first chose fewer than the
#: most threads: in a process idle a moment before (the bench's workers, a Trainer started
#: from the GUI) the first round's 2-thread updates met the second core waking and lost.
FIRST_RECHECK = 0.05
#: Seconds to the next round after one that chose fewer threads while a candidate with
#: more had an update ``MIXED_GAIN`` faster than the choice's median (doubling while it goes
#: on).  Wide float32 on the bench machine: a round met the second core taken for a moment
#: and chose one thread (870 against 600 µs an update), which held for the rest of the run.
MIXED_RECHECK = 0.05
MIXED_GAIN = 1.2
#: Rounds take at most about this share of the training time: the wait after a round is
#: its extra cost over this, between MIN_INTERVAL and the usual interval (a quiet 2-core
#: machine, 784-256-128-10 batch 128: ~8 ms a round, one a second; under load ~75 ms, ~8 s).
PROBE_SHARE = 0.01
MIN_INTERVAL = 1.0
#: Updates run untimed after each switch of mode in a round: the first 2-thread update
#: after a 1-thread one meets OpenBLAS's second thread waking (wide float32, quiet
#: machine: 640-800 µs timed in turns against 630 µs in a run of them, while one
#: thread's turns matched its runs), which took it to within the margin of one thread
#: (and a 1.4× slower choice held for the rest of a short run).
SWITCH_WARMUP = 1
#: A stale choice of the most threads stands when its median over a check's updates is
#: within this of its last round's (its updates at once, against turns between modes).
VERIFY_SLACK = 1.25
#: Between rounds the clock is read once every this many updates (reading it costs ~0.1 µs,
#: the bookkeeping around it more; the interval is seconds, updates are milliseconds).
CHECK_EVERY = 16


class UpdateTuner:
    """Choose among ``candidates`` (hashable; cheapest first) by wall time per update.

    Per update: ``mode = tuner.begin()``, run the update in ``mode``, ``tuner.end()``.
    ``best`` is the chosen candidate, ``medians`` the last round's median seconds
    per candidate, ``probes`` how many rounds have finished (tests read them).
    """

    def __init__(
        self,
        candidates,
        *,
        probe_updates: int = 4,
        reprobe_seconds: float = 20.0,
        margin: float = MARGIN,
        clock=time.perf_counter,
        key=None,
        switch_warmup: int = SWITCH_WARMUP,
    ):
        self.candidates = tuple(candidates)
        if not self.candidates:
            raise ValueError("an update tuner needs at least one candidate")
        self.probe_updates = max(1, int(probe_updates))
        self.reprobe_seconds = float(reprobe_seconds)
        self.margin = float(margin)
        self.clock = clock
        self.best = self.candidates[0]
        self.current = self.best  # the candidate the next update runs in
        self.probes = 0
        self.medians: dict = {}
        self._times: dict = {}
        self._queue: list = []  # candidates still to time in this round, in turn
        self._warm = False  # the next update is the round's warm-up (not timed)
        self._t0 = 0.0
        self._next_round = -float("inf")  # the first update starts a round
        self._left = 0  # updates until the clock is read again (between rounds)
        self._recheck = RECHECK  # the wait after the next round that cuts a candidate off
        self._mixed_wait = MIXED_RECHECK  # the wait after the next round of mixed evidence
        self.switch_warmup = max(0, int(switch_warmup))
        self._warmups = 0  # untimed updates left before this turn's timed one
        self._ran = None  # the mode of the update begun last
        self.key = key
        self._verify: list | None = None  # timings of a stale choice being checked
        last = _LAST.get(key) if key is not None else None
        if last is not None and last[0] in self.candidates:
            best, medians, due, wait = last
            if clock() < due:
                # a tuner of the same updates measured moments ago (a new Trainer, the next
                # run of a sweep): its choice stands until its next round was due
                self.best = self.current = best
                self.medians, self._next_round = dict(medians), due
            elif best == self.candidates[-1] and best in medians:
                # measured a while ago, the most threads: only more load can have made it
                # worse, which its own updates show, so they are checked instead of a round
                self.best = self.current = best
                self.medians, self._next_round = dict(medians), float("inf")
                self._verify, self._verify_wait, self._warm = [], wait, True

    @property
    def probing(self) -> bool:
        return bool(self._queue)

    def begin(self):
        """The candidate to run this update in (the clock starts while probing)."""
        if self._verify is not None:
            self._t0 = self.clock()
            return self.current
        if self._queue or self._warm:
            self._t0 = self.clock()
        elif self._left <= 0 and len(self.candidates) > 1:
            self._left = CHECK_EVERY
            if self.clock() >= self._next_round:
                self._begin_round()
        if self._queue and not self._warm and self.current != self._ran:
            self._warmups = self.switch_warmup  # a switch of mode: warm it up first
        self._ran = self.current
        return self.current

    def end(self) -> None:
        """The update begun last is done."""
        if self._verify is not None:
            self._check_stale()
            return
        if self._warm:
            self._warm = False
            return
        if not self._queue:
            self._left -= 1
            return
        if self._warmups > 0:
            self._warmups -= 1
            return
        now = self.clock()
        c = self._queue.pop(0)
        mine = self._times[c]
        mine.append(now - self._t0)
        others = [min(v) for o, v in self._times.items() if v and o != c]
        if others and min(mine) > DROP * min(others) * (1 if len(mine) > 1 else 2):
            self._queue = [q for q in self._queue if q != c]  # it lost: no more of its turns
        if self._queue:
            self.current = self._queue[0]
        else:
            self._decide(now)

    def _check_stale(self) -> None:
        """One update of a stale choice's check done (the first is its warm-up)."""
        if self._warm:
            self._warm = False
            return
        now = self.clock()
        self._verify.append(now - self._t0)
        if len(self._verify) < self.probe_updates:
            return
        v = sorted(self._verify)
        self._verify = None
        if v[len(v) // 2] <= VERIFY_SLACK * self.medians[self.best]:
            self._next_round = now + self._verify_wait  # as fast as it was: as after its round
            if self.key is not None:
                _LAST[self.key] = (self.best, dict(self.medians), self._next_round, self._verify_wait)
        else:
            self._next_round = -float("inf")  # slower: a round at once
        self._left = 0

    def _begin_round(self) -> None:
        self._times = {c: [] for c in self.candidates}
        self._queue = list(self.candidates) * self.probe_updates  # turns, one timed update each
        self._warmups = 0
        self.current = self._queue[0]
        self._warm = True
        self._t0 = self.clock()

    def _mixed(self) -> bool:
        """Fewer threads chose, but a candidate with more had an update faster by
        ``MIXED_GAIN`` than the choice's median: the second core was there at times
        (a neighbour's burst, a stolen vCPU), and may be there again soon."""
        later = self.candidates[self.candidates.index(self.best) + 1 :]
        best = self.medians[self.best]
        return any(self._times.get(c) and min(self._times[c]) * MIXED_GAIN < best for c in later)

    def _round_cost(self) -> float:
        """Seconds the round's updates took beyond what the chosen candidate takes."""
        best = self.medians[self.best]
        return sum(t - best for c, v in self._times.items() if c != self.best for t in v)

    def _decide(self, now: float) -> None:
        self.medians = {c: sorted(v)[len(v) // 2] for c, v in self._times.items() if v}
        fastest = min(self.medians.values())
        # the cheapest candidate within the margin of the fastest: more cores gain ≤ ~1.4×
        # on a quiet machine but lose 4-9× once another thread wants a core ...
        self.best = next(c for c in self.candidates if self.medians[c] <= fastest * self.margin)
        self.current = self.best
        self.probes += 1
        # ... so with more than the cheapest the load is checked again sooner; and a round
        # that cost little is repeated sooner still (a near tie, or a choice a passing burst
        # made, would otherwise hold for the whole interval)
        wait = self.reprobe_seconds if self.best == self.candidates[0] else self.reprobe_seconds / 4
        wait = min(wait, max(MIN_INTERVAL, self._round_cost() / PROBE_SHARE))
        if self.probes == 1 and self.best != self.candidates[-1]:
            wait = min(wait, FIRST_RECHECK)  # the first round may have met a core waking up
        if self._mixed():
            wait = min(wait, self._mixed_wait)  # more threads were fast at times: look again soon
            self._mixed_wait *= 2
        else:
            self._mixed_wait = MIXED_RECHECK
        if any(len(v) < self.probe_updates for v in self._times.values()):
            wait = min(wait, self._recheck)  # a cut-off: look again soon, less soon each time
            self._recheck *= 2
        else:
            self._recheck = RECHECK
        self._next_round = now + wait
        self._left = 0
        if self.key is not None:
            _LAST[self.key] = (self.best, dict(self.medians), self._next_round, wait)
            while len(_LAST) > 32:
                _LAST.pop(next(iter(_LAST)))


#: key -> (best, medians, when its next round is due, the wait to it) of the last round of
#: each kind of update
_LAST: dict = {}
