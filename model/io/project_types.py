"""The project's in-memory form: :class:`Project`, :class:`DataSource`, the
format's name and versions, and :class:`ProjectError` (see ``model.io.project``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from model.data.preprocessing import Scaler
from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.teaching.challenge import Challenge
from model.train.history import History
from model.train.pace import DEFAULT_PACE
from model.train.trainer import TrainSettings

FORMAT = "mlp-studio"
VERSION = 2
#: Versions this app reads. Version 2 added training.regularization, weight_decay,
#: early_stopping, network.dropout, data.features and data.test_fraction, all
#: optional with defaults that mean "off", so a version-1 file loads unchanged.
READABLE_VERSIONS = (1, 2)
MAX_FILE_BYTES = 512 * 1024 * 1024


class ProjectError(ValueError):
    """A project file problem; ``path`` is the JSON path (e.g. ``network.layer_sizes``)."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}" if path else reason)


@dataclass
class DataSource:
    """Where the data comes from: a built-in generator, a CSV file or embedded points."""

    kind: str = "builtin"  # builtin | csv | embedded
    name: str = "xor"  # builtin: dataset name
    params: dict = field(default_factory=dict)  # builtin: n, noise, seed, …
    path: str = ""  # csv: file path (relative to the project or resources/datasets)
    inputs: list = field(default_factory=list)  # csv: input columns
    targets: list = field(default_factory=list)  # csv: target columns
    task: str | None = None  # csv/embedded: classification | regression
    X: list | None = None  # embedded rows
    T: list | None = None
    val_fraction: float = 0.0
    split_seed: int = 0
    names: dict | None = None  # embedded: {"inputs": [...], "targets": [...], "classes": [...]}
    test_fraction: float = 0.0  # held out, reported once at the end
    features: list | None = None  # engineered inputs, e.g. ["x1", "x2", "x1*x2"]; None = raw columns

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "val_fraction": self.val_fraction, "split_seed": self.split_seed}
        d["test_fraction"] = self.test_fraction
        if self.features is not None:
            d["features"] = list(self.features)
        if self.kind == "builtin":
            d.update(name=self.name, params=dict(self.params))
        elif self.kind == "csv":
            d.update(path=self.path, inputs=list(self.inputs), targets=list(self.targets), task=self.task)
        else:
            d.update(X=self.X, T=self.T, task=self.task)
            if self.names is not None:
                d["names"] = {k: list(v) for k, v in self.names.items()}
        return d


@dataclass
class Project:
    spec: NetworkSpec
    data: DataSource = field(default_factory=DataSource)
    training: TrainSettings = field(default_factory=TrainSettings)
    preprocessing: str = "none"
    scaler: Scaler | None = None
    weights: tuple[list, list] | None = None
    history: History | None = None
    name: str = "Untitled"
    description: str = ""
    pace: str = DEFAULT_PACE  # training pace key (model.train.pace.PACES)
    challenge: Challenge | None = None  # optional: locks, goal and hint (model.teaching.challenge)

    def network(self) -> Network:
        """A Network with the saved weights, or freshly initialised from the spec."""
        if self.weights is None:
            return Network(self.spec)
        return Network(self.spec, *self.weights)
