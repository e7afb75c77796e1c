"""Code pieces both generated scripts share: settings, data, schedule, outputs.

Every number is written with ``repr`` so a float64 survives the round trip
exactly; that is what lets a script reproduce the app's weights to 1e-6.
"""

from __future__ import annotations

import numpy as np

from model.optim.schedules import SCHEDULE_FIELDS, Schedule


def literal(value) -> str:
    """Python source for a JSON-like value (floats exact via repr)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def array_literal(a) -> str:
    return "np.array(" + literal([float(v) for v in np.asarray(a, float).reshape(-1)]) + ")"


def settings_block(s) -> str:
    """The ``SETTINGS`` section: everything the run depends on, editable."""
    t = s.training
    lines = [
        "# ---------------------------------------------------------------- settings",
        "# from the project; edit freely (the initial weights come from the .npz)",
        f"LAYER_SIZES = {literal(list(s.spec.layer_sizes))}  # inputs, hidden…, outputs",
        f"ACTIVATIONS = {literal(list(s.spec.activations))}  # one per layer ℓ = 1…L",
        f"LOSS = {s.spec.loss!r}  # {s.loss_text}",
        f"OPTIMIZER = {t.optimizer!r}",
        f"LR = {literal(float(t.lr))}  # η₀",
        f"HYPER = {literal(s.hyper)}",
        f"WEIGHT_DECAY = {literal(float(s.weight_decay))}  # λ: {s.weight_decay_text}",
        f"SCHEDULE = {literal(schedule_fields(t.schedule))}  # {t.schedule.describe()}",
        f"BATCH_SIZE = {literal(t.batch_size)}  # None: full batch; 1: stochastic; else mini-batch ({s.mode})",
        f"EPOCHS = {int(t.epochs)}",
        f"TARGET_LOSS = {literal(t.target_loss)}  # stop once the epoch's training loss is at most this",
        f"SEED = {int(t.seed)}  # seeds the mini-batch order, exactly as MLP Studio draws it",
        f"TASK = {s.task!r}",
        f"WEIGHTS_FILE = {s.weights_name!r}",
        f"DATA_FILE = {s.data_name!r}",
    ]
    return "\n".join(lines) + "\n"


def schedule_fields(schedule: Schedule) -> dict:
    """The schedule's kind and only the fields that kind reads."""
    d = schedule.to_dict()
    return {"kind": schedule.kind, **{k: d[k] for k in SCHEDULE_FIELDS[schedule.kind]}}


def opening(ctx, header: str, dtype: str) -> list[str]:
    """Header, settings, dtype, preprocessing and data loading: every script starts so."""
    return [
        header.format(title=ctx.title, data=ctx.data_name, weights=ctx.weights_name, script=ctx.script_name),
        settings_block(ctx),
        f"DTYPE = {dtype}\n",
        preprocessing_block(ctx.scaler),
        DATA_LOADER,
    ]


def preprocessing_block(scaler) -> str:
    """``preprocess(X)``: the scaler fitted on the training split, as constants."""
    how = {
        "normalize": "min-max to [0, 1]: offset = min, scale = max − min of the training inputs",
        "standardize": "z-score: offset = mean, scale = standard deviation of the training inputs",
        "scale": "to [−1, 1]: offset = (max + min)/2, scale = (max − min)/2 of the training inputs",
    }
    if scaler is None or scaler.method == "none":
        return (
            "def preprocess(X):\n"
            '    """No input preprocessing in this project: the network sees raw values."""\n'
            "    return X\n"
        )
    return (
        f"# input preprocessing '{scaler.method}' ({how[scaler.method]})\n"
        f"OFFSET = {array_literal(scaler.offset)}\n"
        f"SCALE = {array_literal(scaler.scale)}\n\n\n"
        "def preprocess(X):\n"
        '    """The fitted scaler, applied to raw inputs: (X − offset) / scale, per column."""\n'
        "    return (X - OFFSET) / SCALE\n"
    )


DATA_LOADER = '''
def load_data():
    """(X_train, T_train, X_val, T_val) from the CSV beside this script.

    Columns: the inputs, the targets, then ``is_validation`` (1 = held out).
    """
    path = os.path.join(HERE, DATA_FILE)
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    n_in, n_out = LAYER_SIZES[0], LAYER_SIZES[-1]
    X, T, val = table[:, :n_in], table[:, n_in : n_in + n_out], table[:, -1] == 1
    X = preprocess(X)
    return X[~val], T[~val], X[val], T[val]
'''


def schedule_block(schedule: Schedule) -> str:
    """``learning_rate(epoch)`` for the project's schedule kind only."""
    body = {
        "constant": "return LR",
        "step": "return LR * SCHEDULE['gamma'] ** math.floor(epoch / SCHEDULE['step_size'])",
        "exponential": "return LR * math.exp(-SCHEDULE['decay'] * epoch)",
        "inverse_time": "return LR / (1.0 + SCHEDULE['decay'] * epoch)",
        "cosine": (
            "frac = min(epoch, SCHEDULE['period']) / SCHEDULE['period']\n"
            "    lo = SCHEDULE['min_lr']\n"
            "    return lo + (LR - lo) * (1.0 + math.cos(math.pi * frac)) / 2.0"
        ),
        "cyclic": (  # torch.optim.lr_scheduler.CyclicLR(mode="triangular"), stepped once per epoch
            "x = epoch / SCHEDULE['step_size']\n"
            "    cycle = math.floor(1.0 + x / 2.0)\n"
            "    lo, hi = SCHEDULE['base_lr'], SCHEDULE['max_lr']\n"
            "    return lo + (hi - lo) * max(0.0, 1.0 - abs(x - 2.0 * cycle + 1.0))"
        ),
    }[schedule.kind]
    return (
        "def learning_rate(epoch):\n"
        f'    """η for a 0-based epoch, set once at the start of each epoch: {schedule.describe()}."""\n'
        f"    {body}\n"
    )


MINI_BATCHES = '''
def mini_batches(rng, n):
    """Index arrays of one epoch's updates. A fresh permutation per epoch from
    ``rng`` (``numpy.random.default_rng(SEED)``), unless the batch is everything."""
    bs = n if BATCH_SIZE is None else min(BATCH_SIZE, n)
    if bs >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[start : start + bs] for start in range(0, n, bs)]
'''


SAVE_WEIGHTS = '''
def save_weights(path, weights, biases):
    """The MLP Studio weight file: W1…WL (inputs × outputs), b1…bL, layer_sizes, activations."""
    arrays = {}
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        arrays[f"W{l}"] = np.asarray(W, np.float64)
        arrays[f"b{l}"] = np.asarray(b, np.float64)
    arrays["layer_sizes"] = np.array(LAYER_SIZES, dtype=np.int64)
    arrays["activations"] = np.array(ACTIVATIONS, dtype=np.str_)
    np.savez(path, **arrays)
'''


ARGUMENTS = """
def parse_args(extra=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs to train (default {EPOCHS})")
    p.add_argument("--export-weights", metavar="W.npz", help="write the trained weights as .npz")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    if extra is not None:
        extra(p)
    args = p.parse_args()
    if args.epochs < 1:
        p.error("--epochs must be at least 1")
    return args
"""
