"""What changed in the document, and which views depend on what.

``Document.changed`` emits one of these kind strings per change.  Each view
declares the kinds it reads in one :class:`DependencyTable`; dispatching a
kind calls exactly the views that read it (``DOCUMENT`` reaches every view),
so a learning-rate drag touches nothing but what reads the learning rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

DOCUMENT = "document"  # the whole document was replaced (open, new, recovery)
NETWORK = "network"  # topology / spec: layer sizes, activations, loss, init
WEIGHTS = "weights"  # parameter values only
DATA = "data"  # data source, split or preprocessing
HISTORY = "history"  # training history (rows added, reset, restored)
PROBE = "probe"  # the probe sample the canvas shows
SETTINGS_LR = "settings.lr"
SETTINGS_OPTIMIZER = "settings.optimizer"  # optimizer name or its hyper-parameters
SETTINGS_SCHEDULE = "settings.schedule"
SETTINGS_BATCH = "settings.batch"  # batch size / GD mode
SETTINGS_LIMITS = "settings.limits"  # epoch limit, target loss
SETTINGS_OTHER = "settings.other"  # anything else in the training settings (seed, …)
SETTINGS_REGULARIZATION = "settings.regularization"  # L1/L2 rates and weight decay (live while training)

SETTINGS = (
    SETTINGS_LR,
    SETTINGS_OPTIMIZER,
    SETTINGS_SCHEDULE,
    SETTINGS_BATCH,
    SETTINGS_LIMITS,
    SETTINGS_REGULARIZATION,
    SETTINGS_OTHER,
)
ALL = (DOCUMENT, NETWORK, WEIGHTS, DATA, HISTORY, PROBE, *SETTINGS)


def check_kind(kind: str) -> str:
    if kind not in ALL:
        raise ValueError(f"unknown change kind {kind!r}; expected one of {', '.join(ALL)}")
    return kind


class DependencyTable:
    """``view name -> (kinds it reads, refresh callback)``; one table replaces per-kind if-ladders."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[frozenset[str], Callable[[str], None]]] = {}

    def add(self, name: str, kinds: Iterable[str], refresh: Callable[[str], None]) -> None:
        kinds = frozenset(check_kind(k) for k in kinds)
        if name in self._rows:
            raise ValueError(f"view {name!r} is already in the table")
        self._rows[name] = (kinds, refresh)

    def readers(self, kind: str) -> list[str]:
        """Names of the views a change of ``kind`` reaches, in the order they were added."""
        check_kind(kind)
        return [n for n, (ks, _) in self._rows.items() if kind == DOCUMENT or kind in ks]

    def kinds_of(self, name: str) -> frozenset[str]:
        return self._rows[name][0]

    def dispatch_kinds(self, kinds) -> list[str]:
        """Call every view that reads any of ``kinds`` once, in table order; returns their names."""
        kinds = [check_kind(k) for k in kinds]
        names = [n for n, (ks, _) in self._rows.items() if any(k == DOCUMENT or k in ks for k in kinds)]
        for n in names:
            self._rows[n][1](kinds[0])
        return names

    def dispatch(self, kind: str) -> list[str]:
        """Call every view that reads ``kind``; returns their names (tests read it)."""
        names = self.readers(kind)
        for n in names:
            self._rows[n][1](kind)
        return names


# Until every emitter says precisely what changed: the old kind strings.
LEGACY = {"all": (DOCUMENT,), "spec": (NETWORK,), "settings": SETTINGS}

# TrainSettings field -> the kind a change of it is
SETTINGS_FIELDS = {
    "lr": SETTINGS_LR,
    "optimizer": SETTINGS_OPTIMIZER,
    "hyper": SETTINGS_OPTIMIZER,
    "schedule": SETTINGS_SCHEDULE,
    "batch_size": SETTINGS_BATCH,
    "epochs": SETTINGS_LIMITS,
    "target_loss": SETTINGS_LIMITS,
    "regularization": SETTINGS_REGULARIZATION,
    "weight_decay": SETTINGS_REGULARIZATION,
}


def kinds_of(kind: str) -> tuple[str, ...]:
    """The change kinds an emitted string stands for (old strings mapped in one place)."""
    return LEGACY.get(kind) or (check_kind(kind),)


def settings_kinds(old, new) -> tuple[str, ...]:
    """Which settings kinds differ between two TrainSettings (``old`` None: all of them)."""
    if old is None:
        return SETTINGS
    a, b = old.to_dict(), new.to_dict()
    changed = {SETTINGS_FIELDS.get(k, SETTINGS_OTHER) for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    return tuple(k for k in SETTINGS if k in changed)
