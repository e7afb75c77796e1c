"""Headless command line: ``mlp-studio train PROJECT …`` and ``mlp-studio predict …``.

Every failure is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from model.data import data_prep
from model.io.numbers import MAX_EPOCHS, MAX_SEED
from model.io.project import ProjectError, load_project, save_project
from model.train import budget
from model.train.epoch_figures import format_loss
from model.train.trainer import STOP_DIVERGED, Trainer

PROG = "mlp-studio"


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (``mlp-studio: error: …``), exit code 2, like every other failure."""

    def error(self, message: str):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Train and use MLP Studio projects headless.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a project and write its results")
    t.add_argument("project", help="project file (.json)")
    t.add_argument(
        "--epochs", type=_epochs, help=f"epoch limit, 1 to {MAX_EPOCHS:,} (default: the project's)"
    )
    t.add_argument("--seed", type=_seed, help="seed for initial weights and shuffling")
    t.add_argument(
        "--init-weights",
        metavar="W.npz|W.json",
        help="start from the weights in this file (as File ▸ Import Weights)",
    )
    t.add_argument("--export-weights", metavar="W.npz", help="write weights (.npz or .json)")
    t.add_argument("--export-onnx", metavar="M.onnx", help="write an ONNX model")
    t.add_argument("--history", metavar="H.csv", help="write the per-epoch history as CSV")
    t.add_argument("--out", metavar="TRAINED.json", help="save the trained project")
    t.add_argument("--quiet", action="store_true", help="no progress line")
    pr = sub.add_parser("predict", help="run a trained project on new inputs")
    pr.add_argument("project", help="trained project file (.json)")
    pr.add_argument("--input", required=True, metavar="X.csv", help="CSV with the input columns")
    pr.add_argument("--output", required=True, metavar="Y.csv", help="where to write predictions")
    return p


def _int_at_least(lowest: int, highest: int | None = None):
    """An argparse type: a whole number ≥ ``lowest`` (and ≤ ``highest``): the limits the
    project loader uses, so that what ``--out`` writes loads again."""

    def parse(text: str) -> int:
        if len(text) > 40:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:20]!r}…")
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if v < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, got {v}")
        if highest is not None and v > highest:
            raise argparse.ArgumentTypeError(f"must be at most {highest:,}, got {v:,}")
        return v

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)
_epochs = _int_at_least(1, MAX_EPOCHS)
_seed = _int_at_least(0, MAX_SEED)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # NumPy's RuntimeWarnings (overflow in a diverging run...) would add lines to the
    # one-line stderr; what they signal is reported by divergence and validation
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return reporting_errors(lambda: train(args) if args.command == "train" else _predict(args))


def _predict(args) -> int:
    from .predict_cli import predict

    return predict(args)


def reporting_errors(run) -> int:
    """``run()``'s exit code; a user-facing failure is one line on stderr and exit 1."""
    try:
        return run()
    except (CliError, ProjectError, ValueError, OSError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def check_output_paths(pairs) -> None:
    """Refuse, before any work, outputs that cannot be written: a device, pipe or
    directory (symlinks are followed) or a folder that does not exist.
    ``pairs``: (option, path or None)."""
    from model.io.atomic import NotRegularTarget, resolve_target

    for option, path in pairs:
        if not path:
            continue
        try:
            target = resolve_target(path)
        except NotRegularTarget as e:
            raise CliError(f"{option}: {e}") from None
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise CliError(f"{option} {path}: the folder {folder} does not exist")


def train(args) -> int:
    check_output_paths(
        (
            ("--export-weights", args.export_weights),
            ("--export-onnx", args.export_onnx),
            ("--history", args.history),
            ("--out", args.out),
        )
    )
    project = load_project(args.project)
    if args.seed is not None:
        project.spec = project.spec.replace(seed=args.seed)
        project.training.seed = args.seed
        project.weights = None
    if args.epochs is not None:
        project.training.epochs = args.epochs
    if args.export_onnx:
        from .onnx_export import check_available

        check_available()
    data = data_prep.prepare(project)
    budget.check_training(project.spec, project.training, data.train.n_samples)
    net = project.network()
    if args.init_weights:
        from model.io.weights_io import apply_weights, load_weights

        try:
            apply_weights(net, load_weights(args.init_weights))
        except ValueError as e:
            raise CliError(f"--init-weights {args.init_weights}: {e}") from None
    trainer = Trainer(
        net, data.X_train, data.train.T, project.training, data.X_val, data.val.T, task=data.task
    )
    progress = Progress(project.training.epochs, quiet=args.quiet)
    while trainer.stop_reason is None:
        if trainer.epoch >= project.training.epochs:
            trainer.stop_reason = "epoch limit reached"
            break
        trainer.run_epoch()
        progress.update(trainer)
    from model.train.test_report import report_test

    report_test(trainer, data.X_test, data.test.T if data.test is not None else None)  # once, at the end
    progress.finish(trainer)
    _write_outputs(args, project, net, trainer, data)
    return 3 if trainer.stop_reason == STOP_DIVERGED else 0


def _write_outputs(args, project, net, trainer, data) -> None:
    from model.io.weights_io import export_json, export_npz

    if args.export_weights:
        path = Path(args.export_weights)
        (export_json if path.suffix.lower() == ".json" else export_npz)(net, path)
    if args.export_onnx:
        from .onnx_export import export_onnx

        export_onnx(net, args.export_onnx, scaler=data.scaler, features=data.features)
    if args.history:
        from model.io.project import atomic_write_text

        atomic_write_text(args.history, trainer.history.to_csv())
    if args.out:
        project.weights = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
        project.history = trainer.history
        project.scaler = data.scaler
        save_project(project, args.out)


class Progress:
    """A one-line progress report on stderr, about twice a second."""

    def __init__(self, total_epochs: int, quiet: bool = False, interval: float = 0.5):
        self.total, self.quiet, self.interval = total_epochs, quiet, interval
        self.t0 = self.last = time.perf_counter()

    def _line(self, tr) -> str:
        h = tr.history
        loss = h["train_loss"][-1] if len(h) else float("nan")
        acc = h["train_acc"][-1] if len(h) else float("nan")
        rate = tr.step / max(time.perf_counter() - self.t0, 1e-9)
        acc_text = f"  acc {acc * 100:5.1f}%" if np.isfinite(acc) else ""
        return f"epoch {tr.epoch}/{self.total}  loss {loss:.6g}{acc_text}  {rate:,.0f} updates/s"

    def update(self, tr) -> None:
        now = time.perf_counter()
        if not self.quiet and now - self.last >= self.interval:
            self.last = now
            print("\r" + self._line(tr), end="", file=sys.stderr, flush=True)

    def finish(self, tr) -> None:
        h = tr.history
        if not self.quiet:
            print("\r" + self._line(tr), file=sys.stderr)
        from model.train.test_report import describe_test

        summary = f"{tr.stop_reason} after {tr.epoch} epochs ({tr.step} updates)"
        row = len(h) - 1
        if getattr(tr, "early_stop_message", ""):
            summary = f"{tr.early_stop_message} ({tr.step} updates)"
            if "restored" in tr.early_stop_message and "not restored" not in tr.early_stop_message:
                row = tr.stopper.best_epoch - 1  # the figures of the weights kept
        if len(h):
            summary += f"; train loss {format_loss(h['train_loss'][row])}"
            if np.isfinite(h["train_acc"][row]):
                summary += f", accuracy {h['train_acc'][row] * 100:.1f}%"
            if np.isfinite(h["val_loss"][row]):
                summary += f"; validation loss {h['val_loss'][row]:.6g}"
                if np.isfinite(h["val_acc"][row]):
                    summary += f", accuracy {h['val_acc'][row] * 100:.1f}%"
        if h.test:
            summary += f"; {describe_test(h.test)}"
        if tr.stop_reason == STOP_DIVERGED:
            summary = tr.divergence_message
        print(summary, file=sys.stderr)
