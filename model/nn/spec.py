"""NetworkSpec: the topology and settings that define a network, validated."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from model.nn import activations, losses

MAX_HIDDEN_LAYERS = 32
MAX_WIDTH = 4096
INITS = ("xavier", "he", "uniform", "zeros")
DTYPES = ("float64", "float32")


@dataclass
class NetworkSpec:
    """Layer sizes [n_in, hidden..., n_out]; one activation per non-input layer.

    ``init`` is ``xavier`` (Glorot uniform), ``he`` (normal, std √(2/fan_in)),
    ``uniform`` (U(−init_range, init_range)) or ``zeros``.
    ``dropout`` holds one inverted-dropout rate in [0, 1) per hidden layer
    (training only; empty = none).
    """

    layer_sizes: list[int]
    activations: list[str]
    loss: str = "mse"
    seed: int = 0
    init: str = "xavier"
    init_range: float = 0.5
    dtype: str = "float64"
    dropout: list = field(default_factory=list)
    extra: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.layer_sizes = list(self.layer_sizes)
        self.activations = list(self.activations)
        self.dropout = list(self.dropout or [])
        if all(isinstance(p, (int, float)) and not isinstance(p, bool) and p == 0 for p in self.dropout):
            self.dropout = []  # all zeros = no dropout: one spelling, so specs compare equal
        self.validate()

    @property
    def n_layers(self) -> int:
        """Number of weight layers L (the lecture's ℓ = 1…L)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        s = self.layer_sizes
        return sum(s[i] * s[i + 1] + s[i + 1] for i in range(len(s) - 1))

    def validate(self) -> None:
        """Raise ValueError naming the layer, what is wrong and what is allowed."""
        sizes = self.layer_sizes
        if len(sizes) < 2:
            raise ValueError(
                f"a network needs at least an input and an output layer (got layer_sizes={sizes})"
            )
        if len(sizes) - 2 > MAX_HIDDEN_LAYERS:
            raise ValueError(
                f"{len(sizes) - 2} hidden layers requested; at most {MAX_HIDDEN_LAYERS} are allowed"
            )
        for i, n in enumerate(sizes):
            name = _layer_name(i, len(sizes))
            if (
                isinstance(n, bool)
                or not isinstance(n, int)
                and not (isinstance(n, float) and n.is_integer())
            ):
                raise ValueError(f"{name} size must be a whole number, got {n!r}")
            if not 1 <= n <= MAX_WIDTH:
                raise ValueError(f"{name} has {n} neurons; allowed: 1 to {MAX_WIDTH}")
        self.layer_sizes = [int(n) for n in sizes]
        if len(self.activations) != len(sizes) - 1:
            raise ValueError(
                f"{len(sizes) - 1} activations needed (one per layer after the "
                f"input), got {len(self.activations)}"
            )
        for i, a in enumerate(self.activations):
            if a not in activations.ACTIVATIONS:
                raise ValueError(
                    f"{_layer_name(i + 1, len(sizes))}: unknown activation {a!r}; "
                    f"allowed: {', '.join(activations.ACTIVATIONS)}"
                )
            if a == "softmax" and i != len(self.activations) - 1:
                raise ValueError(
                    f"{_layer_name(i + 1, len(sizes))}: softmax is only allowed on the output layer"
                )
        if self.activations[-1] == "softmax" and sizes[-1] < 2:
            raise ValueError("a softmax output layer needs at least 2 neurons")
        losses.check_pairing(self.loss, self.activations[-1])
        if self.init not in INITS:
            raise ValueError(f"unknown initialiser {self.init!r}; allowed: {', '.join(INITS)}")
        if not (
            isinstance(self.init_range, (int, float))
            and math.isfinite(self.init_range)
            and self.init_range > 0
        ):
            raise ValueError(f"init_range must be a positive number, got {self.init_range!r}")
        if self.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {self.dtype!r}; allowed: {', '.join(DTYPES)}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative whole number, got {self.seed!r}")
        if self.dropout:
            self.dropout = check_rates(self.dropout, len(sizes) - 2)

    @property
    def dropout_rates(self) -> list[float]:
        """One rate per hidden layer (zeros when none is set)."""
        return list(self.dropout) if self.dropout else [0.0] * (len(self.layer_sizes) - 2)

    def to_dict(self) -> dict:
        return {
            "layer_sizes": list(self.layer_sizes),
            "activations": list(self.activations),
            "loss": self.loss,
            "seed": self.seed,
            "init": self.init,
            "init_range": self.init_range,
            "dtype": self.dtype,
            "dropout": self.dropout_rates,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "NetworkSpec":
        if not isinstance(d, dict):
            raise ValueError("network must be an object")
        known = {"layer_sizes", "activations", "loss", "seed", "init", "init_range", "dtype", "dropout"}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown network field(s): {', '.join(sorted(unknown))}")
        for key in ("layer_sizes", "activations"):
            if key not in d:
                raise ValueError(f"network.{key} is missing")
            if not isinstance(d[key], list):
                raise ValueError(f"network.{key} must be a list")
        return cls(**d)

    def replace(self, **changes) -> "NetworkSpec":
        d = self.to_dict()
        d.update(changes)
        hidden = len(d["layer_sizes"]) - 2
        if "dropout" not in changes and len(d["dropout"]) != hidden:  # layers added or removed
            d["dropout"] = (d["dropout"] + [0.0] * hidden)[:hidden]
        if not any(d["dropout"]):
            d["dropout"] = []
        return NetworkSpec(**d)


def check_rates(rates: Sequence[float], n_hidden: int) -> list[float]:
    """Validated dropout rates, one per hidden layer, each in [0, 1)."""
    rates = list(rates)
    if len(rates) != n_hidden:
        raise ValueError(f"network.dropout needs one rate per hidden layer ({n_hidden}), got {len(rates)}")
    out = []
    for i, p in enumerate(rates):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"network.dropout[{i + 1}] (hidden layer {i + 1}) must be in [0, 1), got {p!r}")
        out.append(float(p))
    return out


def _layer_name(i: int, n: int) -> str:
    if i == 0:
        return "input layer"
    if i == n - 1:
        return "output layer"
    return f"hidden layer {i}"


layer_name = _layer_name
