"""Render the README's screenshots from the real app, offscreen.

    python -m app.screenshots [OUT_DIR]      (default: resources/screenshots)

Each shot opens an example, trains it headless, brings one panel to the
front and grabs the whole main window.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _setup():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"
    from .scratch import scratch_subdir

    os.environ["MLP_STUDIO_RECOVERY_DIR"] = scratch_subdir("recovery")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(antialias=True, background="w", foreground="#30343b")
    return QApplication.instance() or QApplication([])


def _settle(app, win, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()
    win.canvas.fit_view()
    app.processEvents()


def _train(win, epochs: int) -> None:
    from .training_controller import train_in_place

    train_in_place(win.doc, epochs)


def shots(out: Path) -> list[Path]:
    app = _setup()
    from .document import Document
    from .main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    written = []

    def take(example, name, epochs=0, panel=None, prepare=None):
        win = MainWindow(Document())
        win.doc.open_example(example)
        win.resize(1400, 900)
        win.show()
        if epochs:
            _train(win, epochs)
        if panel:
            win.show_panel(panel)
        if prepare:
            prepare(win, app)
        _settle(app, win)
        path = out / f"{name}.png"
        win.grab().save(str(path))
        win.doc._results_dirty = False
        win.doc.undo_stack.setClean()
        win.close()
        written.append(path)

    def race(win, app):
        p = win.plots.panels["optimizers"]
        p.set_surface("rosenbrock")
        p.step(150)

    def compare(win, app):
        p = win.plots.panels["gradients"]
        p.compareRequested.emit()
        win.jobs.wait(60)  # the comparison runs in the background
        app.processEvents()

    def sweep(win, app):
        p = win.plots.panels["lr"]
        p.sweep.count.setValue(8)
        p.sweep.epochs.setValue(100)
        from PySide6.QtWidgets import QPushButton

        run = [b for b in p.sweep.findChildren(QPushButton) if b.text().replace("&", "").startswith("Run")]
        if run:
            run[0].click()
            for job in p.jobs():
                job.wait(120)
            app.processEvents()

    def chain(win, app):
        p = win.plots.panels["chain-rule"]
        p.set_stage(p.stage_count())

    def step(win, app):
        win.doc.set_probe(3)
        win.teaching.start_stepthrough()
        for _ in range(5):  # into the backward pass
            win.teaching.stepper.next()

    def waves(win, app):
        win.acts["waves"].setChecked(True)
        for _ in range(12):
            win.teaching.waves.tick(0.05)

    take("circles", "main_window", epochs=200)
    take("backprop_table", "stepthrough", prepare=step)
    take("spiral", "waves", epochs=100, prepare=waves)
    take("xor_train", "panel_loss", epochs=400, panel="loss")
    take("xor_train", "panel_lr", panel="lr", prepare=sweep)
    take("xor_train", "panel_optimizers", panel="optimizers", prepare=race)
    take("vanishing_gradients", "panel_gradients", epochs=30, panel="gradients", prepare=compare)
    take("xor_train", "panel_chain_rule", panel="chain-rule", prepare=chain)
    take("iris", "iris", epochs=150)
    return written


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "resources" / "screenshots"
    for p in shots(out):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
