"""Stress: a few hundred seeded random operations while training runs.

Topology and weight edits, undo/redo, data switches, opens (good and bad),
settings changes (learning rate, optimizer, batch size, limits) and saves
are made through the window's own signals and menus while the worker
trains; autosave runs every 50 ms. Asserted: no uncaught exception, no Qt
warning or critical message, no error dialog other than the expected ones
(a bad file refused, a run that diverged), every saved and autosaved file
loads, and the final network spec, data and settings equal a replay of the
same operations on a window that never trained.
"""

import copy
import json
import os
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from app import autosave
from app.document import example_path
from app.training_controller import TrainingWorker
from model.io.project import DataSource, load_project

SEED = int(os.environ.get("MLP_STRESS_SEED", "20261201"))
OPERATIONS = int(os.environ.get("MLP_STRESS_OPERATIONS", "300"))
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "linear")
DATASETS = ("xor", "circles", "moons", "blobs")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
EXAMPLES = ("xor_train", "circles", "xor_hand_wired")
EXPECTED_DIALOGS = ("Could not open", "Training diverged")
IGNORED_QT = ("propagateSizeHints",)  # the offscreen platform's own notice


def choose_operation(rng, doc, undo_stack, bad_file: str) -> tuple:
    """One operation as a replayable tuple, chosen from the document's structure only."""
    sizes = doc.spec.layer_sizes
    hidden = list(range(1, len(sizes) - 1))
    kinds = ["weight", "bias", "lr", "optimizer", "batch", "undo", "redo", "save", "data", "open", "reset"]
    weights = [8, 4, 8, 4, 4, 6, 4, 3, 2, 2, 1]
    if hidden:
        kinds += ["resize", "activation"]
        weights += [8, 4]
    if len(sizes) < 6:
        kinds.append("insert")
        weights.append(3)
    if len(hidden) >= 2:
        kinds.append("remove")
        weights.append(3)
    kinds.append("bad_open")
    weights.append(1)
    kind = rng.choice(kinds, p=np.array(weights) / sum(weights))
    if kind == "resize":
        return ("resize", int(rng.choice(hidden)), int(rng.integers(1, 9)))
    if kind == "activation":
        return ("activation", int(rng.choice(hidden)), str(rng.choice(HIDDEN_ACTIVATIONS)))
    if kind == "insert":
        return ("insert", int(rng.integers(1, len(sizes))))
    if kind == "remove":
        return ("remove", int(rng.choice(hidden)))
    if kind == "weight":
        layer = int(rng.integers(0, len(sizes) - 1))
        return (
            "weight",
            layer,
            int(rng.integers(0, sizes[layer])),
            int(rng.integers(0, sizes[layer + 1])),
            float(rng.normal()),
        )
    if kind == "bias":
        layer = int(rng.integers(0, len(sizes) - 1))
        return ("bias", layer, int(rng.integers(0, sizes[layer + 1])), float(rng.normal()))
    if kind == "lr":
        return ("lr", float(10 ** rng.uniform(-2.5, -0.3)))
    if kind == "optimizer":
        return ("optimizer", str(rng.choice(OPTIMIZERS)))
    if kind == "batch":
        return ("batch", [None, 1, 2, 4, 16][int(rng.integers(0, 5))])
    if kind == "undo":
        return ("undo",) if undo_stack.canUndo() else ("redo",) if undo_stack.canRedo() else ("lr", 0.1)
    if kind == "redo":
        return ("redo",) if undo_stack.canRedo() else ("undo",) if undo_stack.canUndo() else ("lr", 0.2)
    if kind == "data":
        return ("data", str(rng.choice(DATASETS)), int(rng.integers(0, 3)))
    if kind == "open":
        return ("open", str(rng.choice(EXAMPLES)))
    if kind == "bad_open":
        return ("open_path", bad_file)
    if kind == "reset":
        return ("reset",)
    return ("save",)


def apply_operation(win, op: tuple, save_path=None) -> None:
    """Perform ``op`` the way a person would: through the widgets' signals and the menus."""
    kind, args = op[0], op[1:]
    cv, ins = win.canvas, win.inspector
    if kind == "resize":
        cv.layerWidthRequested.emit(*args)
    elif kind == "activation":
        cv.activationRequested.emit(*args)
    elif kind == "insert":
        cv.addLayerRequested.emit(*args)
    elif kind == "remove":
        cv.removeLayerRequested.emit(*args)
    elif kind == "weight":
        ins.weightEdited.emit(*args)
    elif kind == "bias":
        ins.biasEdited.emit(*args)
    elif kind in ("lr", "optimizer", "batch"):
        s = copy.deepcopy(win.doc.settings)
        if kind == "lr":
            s.lr = args[0]
        elif kind == "optimizer":
            s.optimizer, s.hyper = args[0], {}
        else:
            s.batch_size = args[0]
        win.training_panel.settingsEdited.emit(s)
    elif kind == "undo":
        win.acts["undo"].trigger()
    elif kind == "redo":
        win.acts["redo"].trigger()
    elif kind == "data":
        name, pre = args
        params = {} if name == "xor" else {"n": 40, "noise": 0.1}
        win.data_panel.sourceEdited.emit(
            DataSource(kind="builtin", name=name, params=params), ("none", "normalize", "standardize")[pre]
        )
    elif kind == "open":
        win.files.open_path(str(example_path(args[0])), confirm=False)
        endless(win)
    elif kind == "reset":
        win.acts["reset"].trigger()
    elif kind == "open_path":
        win.files.open_path(args[0], confirm=False)
    elif kind == "save" and save_path is not None:
        assert win.files.save_to(save_path), win.last_error


def endless(win) -> None:
    """Runs that never finish on their own (so training really runs throughout)."""
    s = copy.deepcopy(win.doc.settings)
    s.epochs, s.target_loss = 10_000_000, None
    win.edits.set_settings(s)


def observable(doc) -> dict:
    return {
        "spec": doc.spec.to_dict(),
        "data": doc.project.data.to_dict(),
        "preprocessing": doc.project.preprocessing,
        "settings": doc.settings.to_dict(),
    }


@pytest.fixture
def trouble(monkeypatch):
    """Everything that would be a defect: uncaught exceptions, Qt warnings, dialogs."""
    seen = {"exceptions": [], "qt": [], "dialogs": []}
    monkeypatch.setattr(sys, "excepthook", lambda *exc: seen["exceptions"].append(exc))
    monkeypatch.setattr("threading.excepthook", lambda args: seen["exceptions"].append(args))

    def handler(mode, context, message):
        if mode != QtMsgType.QtDebugMsg and mode != QtMsgType.QtInfoMsg:
            if not any(s in message for s in IGNORED_QT):
                seen["qt"].append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def test_random_operations_while_training(make_window, qtbot, tmp_path, monkeypatch, trouble):
    figures = {"operations": 0, "saves": 0, "loads": 0, "autosaves": 0, "exceptions": 0}
    autosaved, real_save = [], autosave.save_project

    def save_and_check(project, path):
        real_save(project, path)
        load_project(path)  # raises (and so counts as an exception) if it does not load
        autosaved.append(len(project.history.update_loss) if project.history else 0)

    monkeypatch.setattr(autosave, "save_project", save_and_check)
    # every update costs at least 0.5 ms, as on a bigger network: the per-update
    # history (and so each autosave) stays a few MB over the run
    real_update = TrainingWorker._one_update
    monkeypatch.setattr(
        TrainingWorker, "_one_update", lambda self: (time.sleep(0.0005), real_update(self))[1]
    )
    bad = tmp_path / "bad.json"
    d = json.loads(example_path("xor_train").read_text())
    d["network"].update(init="uniform", init_range=1e308)
    bad.write_text(json.dumps(d))

    win = make_window()
    dialogs = []
    monkeypatch.setattr(win.dialogs, "show_error", lambda title, text: dialogs.append((title, text)))
    win.autosaver.configure(interval=0.05, folder=tmp_path / "recovery")
    endless(win)
    rng = np.random.default_rng(SEED)
    ops, saves = [("endless",)], []
    training_ops = 0
    for k in range(OPERATIONS):
        if not win.controller.running:
            win.controller.play()
        qtbot.wait(int(rng.integers(0, 12)))
        training_ops += win.controller.running
        op = choose_operation(rng, win.doc, win.doc.undo_stack, str(bad))
        path = tmp_path / f"save{k}.json" if op[0] == "save" else None
        apply_operation(win, op, path)
        ops.append(op)
        if path is not None:
            saves.append(path)
    win.controller.pause()
    final = observable(win.doc)
    last = tmp_path / "final.json"
    assert win.files.save_to(last)
    saves.append(last)
    for p in saves:
        load_project(p)
        figures["loads"] += 1
    assert load_project(last).spec.to_dict() == final["spec"]

    # the same operations on a window that never trains
    monkeypatch.setattr(autosave, "save_project", real_save)
    replay = make_window()
    monkeypatch.setattr(replay.dialogs, "show_error", lambda title, text: None)
    for op in ops:
        if op == ("endless",):
            endless(replay)
        else:
            apply_operation(replay, op)
    assert observable(replay.doc) == final

    unexpected = [d for d in dialogs if not d[0].startswith(EXPECTED_DIALOGS)]
    figures.update(
        operations=len(ops) - 1,
        operations_while_training=int(training_ops),
        saves=len(saves),
        autosaves=len(autosaved),
        exceptions=len(trouble["exceptions"]),
        qt_warnings=len(trouble["qt"]),
        expected_dialogs=len(dialogs) - len(unexpected),
        unexpected_dialogs=len(unexpected),
        trained_updates=len(win.doc.history.update_loss),
    )
    print("\nstress figures:", json.dumps(figures))
    assert not trouble["exceptions"], trouble["exceptions"][:3]
    assert not trouble["qt"], trouble["qt"][:5]
    assert not unexpected, unexpected[:5]
    assert figures["saves"] >= 5 and figures["autosaves"] >= 20
    assert training_ops >= OPERATIONS // 2  # most operations really happened during training
