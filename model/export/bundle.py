"""Write a training script with its weights and data beside it.

``train.py`` gets ``train_weights.npz`` (the project's current weights: the
initial ones, or the trained ones if it holds them) and ``train_data.csv``
(the raw data; the fitted preprocessing is written into the script).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from model.data import data_prep
from model.io.csv_safe import SafeWriter
from model.io.project import atomic_write_bytes, atomic_write_text
from model.io.weights_io import export_npz
from model.nn.losses import DESCRIPTIONS as LOSS_TEXT
from model.optim.optimizers import DEFAULT_WEIGHT_DECAY, DEFAULTS

FRAMEWORKS = ("pytorch", "numpy")

#: TrainSettings fields every script reproduces; any other field (a
#: regularisation term, say) must have an entry in PENALTIES to be exported.
KNOWN_TRAINING_FIELDS = {
    "optimizer",
    "lr",
    "hyper",
    "schedule",
    "batch_size",
    "epochs",
    "target_loss",
    "seed",
    "weight_decay",
}

#: Regularisation terms: training field -> {framework: code adding its gradient}.
PENALTIES: dict[str, dict[str, str]] = {
    "regularization": {
        "numpy": (
            "def add_penalties(params, grads):\n"
            '    """∂/∂W of L1·Σ|w| + ½·L2·Σw² added to the weights\' gradients (not the biases),\n'
            '    then the coupled weight decay λ·p on every parameter (AdamW decays in update())."""\n'
            "    L = len(LAYER_SIZES) - 1\n"
            "    out = [g + L1 * np.sign(p) + L2 * p if l < L else g for l, (p, g) in enumerate(zip(params, grads))]\n"
            "    if WEIGHT_DECAY and OPTIMIZER != 'adamw':\n"
            "        out = [g + WEIGHT_DECAY * p for p, g in zip(params, out)]\n"
            "    return out\n"
        ),
        "torch": (
            "def add_penalties(net):\n"
            '    """∂/∂W of L1·Σ|w| + ½·L2·Σw² added to each weight\'s .grad (not the biases);\n'
            '    the weight decay is the optimizer\'s own weight_decay."""\n'
            "    with torch.no_grad():\n"
            "        for layer in (m for m in net if isinstance(m, nn.Linear)):\n"
            "            layer.weight.grad += L1 * torch.sign(layer.weight) + L2 * layer.weight\n"
        ),
    }
}

NO_PENALTY = {
    "numpy": (
        "def add_penalties(params, grads):\n"
        '    """Regularisation terms\' gradients, added to ∂E/∂p: none in this project."""\n'
        "    return grads\n"
    ),
    "torch": (
        "def add_penalties(net):\n"
        '    """Regularisation terms\' gradients, added to each p.grad: none in this project."""\n'
        "    return None\n"
    ),
}


@dataclass
class ScriptFiles:
    script: Path
    weights: Path
    data: Path


@dataclass
class ScriptContext:
    """What the script templates read."""

    spec: object
    training: object
    scaler: object
    task: str
    title: str
    script_name: str
    weights_name: str
    data_name: str
    n_train: int

    @property
    def hyper(self) -> dict:
        d = {k: float(v) for k, v in DEFAULTS[self.training.optimizer].items() if k != "lr"}
        d.update({k: float(v) for k, v in self.training.hyper.items()})
        return d

    @property
    def weight_decay(self) -> float:
        wd = getattr(self.training, "weight_decay", None)
        return DEFAULT_WEIGHT_DECAY[self.training.optimizer] if wd is None else float(wd)

    @property
    def weight_decay_text(self) -> str:
        if self.training.optimizer == "adamw":
            return "decoupled, p ← p·(1 − η·λ) each step (AdamW)"
        return "coupled, λ·p added to ∂E/∂p (torch.optim's weight_decay)"

    @property
    def loss_text(self) -> str:
        return LOSS_TEXT[self.spec.loss]

    @property
    def mode(self) -> str:
        return self.training.mode(self.n_train)

    def penalty_code(self, framework: str) -> str:
        reg = getattr(self.training, "regularization", None)
        coupled = self.weight_decay and self.training.optimizer != "adamw" and framework == "numpy"
        if (reg is None or not reg.active) and not coupled:
            return NO_PENALTY[framework]
        l1, l2 = (reg.l1, reg.l2) if reg is not None else (0.0, 0.0)
        return f"L1, L2 = {l1!r}, {l2!r}  # penalty rates\n\n\n" + PENALTIES["regularization"][framework]


def check_exportable(project) -> None:
    """ValueError naming the first training setting a script cannot reproduce."""
    from model.train.trainer import TrainSettings

    d, default = project.training.to_dict(), TrainSettings().to_dict()
    extra = sorted(k for k in set(d) - KNOWN_TRAINING_FIELDS - set(PENALTIES) if d[k] != default.get(k))
    if extra:
        raise ValueError(f"the code export does not support training.{extra[0]} yet")
    if any(project.spec.dropout_rates):
        raise ValueError("the code export does not support dropout (network.dropout) yet")


def script_text(project, framework: str, script_name: str = "train.py", data=None) -> str:
    """The script's source for ``framework`` (pytorch | numpy)."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; allowed: {', '.join(FRAMEWORKS)}")
    check_exportable(project)
    data = data if data is not None else data_prep.prepare(project)
    stem = Path(script_name).stem
    ctx = ScriptContext(
        spec=project.spec,
        training=project.training,
        scaler=data.scaler,
        task=data.task,
        title=f"{project.name} ({' → '.join(map(str, project.spec.layer_sizes))})",
        script_name=script_name,
        weights_name=f"{stem}_weights.npz",
        data_name=f"{stem}_data.csv",
        n_train=len(data.train.X),
    )
    if framework == "numpy":
        from model.export.numpy_script import build
    else:
        from model.export.torch_script import build
    return build(ctx)


def data_csv(data) -> str:
    """Raw inputs and targets of both splits; last column ``is_validation``."""
    tr, va = data.train, data.val
    feats = getattr(data, "features", None)
    buf = io.StringIO()
    w = SafeWriter(buf)
    names = feats.names if feats is not None else tr.feature_names  # engineered features: their values
    w.writerow(list(names) + list(tr.target_names) + ["is_validation"])
    for ds, flag in ((tr, 0), (va, 1)):
        X = feats.apply(ds.X) if feats is not None else ds.X
        for x, t in zip(X, ds.T):
            w.writerow([repr(float(v)) for v in x] + [repr(float(v)) for v in t] + [flag])
    return buf.getvalue()


def write_script_bundle(project, framework: str, out) -> ScriptFiles:
    """Write ``out`` (the script), ``<stem>_weights.npz`` and ``<stem>_data.csv`` beside it."""
    out = Path(out)
    if out.suffix.lower() != ".py":
        raise ValueError(f"the script must be a .py file, got {out.name}")
    data = data_prep.prepare(project)
    text = script_text(project, framework, out.name, data)
    files = ScriptFiles(out, out.with_name(f"{out.stem}_weights.npz"), out.with_name(f"{out.stem}_data.csv"))
    export_npz(project.network(), files.weights)
    atomic_write_text(files.data, data_csv(data))
    atomic_write_bytes(files.script, text.encode("utf-8"))
    files.script.chmod(files.script.stat().st_mode | 0o111)
    return files
