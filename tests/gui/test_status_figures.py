"""The status bar shows the epoch training loss — the number the CLI summary and the export README print."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from app.cli import main as cli_main
from app.document import Document
from app.main_window import MainWindow
from model.io.project import load_project
from model.train.epoch_figures import format_loss

ROOT = Path(__file__).resolve().parents[2]
PENGUINS = ROOT / "resources" / "examples" / "penguins.json"


def test_status_bar_loss_is_the_epoch_loss_on_penguins_with_mini_batches(qtbot, tmp_path):
    project = load_project(PENGUINS)
    assert project.training.batch_size == 16  # mini-batches: epoch loss ≠ last update's loss
    w = MainWindow(Document(project, PENGUINS))
    qtbot.addWidget(w)
    w.show()
    try:
        for _ in range(5):
            n = len(w.doc.history)
            w.controller.step_epoch()
            qtbot.waitUntil(lambda n=n: len(w.doc.history) == n + 1, timeout=20000)
        qtbot.waitUntil(lambda: not w.controller.running, timeout=10000)
        w.views.show_status()
        h = w.doc.history
        epoch_loss, last_update = h["train_loss"][-1], h.update_loss.values[-1]
        assert abs(epoch_loss - last_update) > 1e-3 * epoch_loss  # the two really differ here
        text = w.status.labels["loss"].text()
        assert text == f"epoch training loss {format_loss(epoch_loss)}"
        assert format_loss(last_update) not in text
        assert w.status.labels["acc"].text() == f"epoch accuracy {h['train_acc'][-1] * 100:.1f} %"
        assert "epoch" in w.status.labels["loss"].toolTip().lower()
        # the export README prints the same number
        assert f"final epoch training loss: {format_loss(epoch_loss)}" in w.io.settings_text()
    finally:
        w.controller.shutdown()
    # …and so does `mlp-studio train` after the same five epochs
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli_main(["train", str(PENGUINS), "--epochs", "5", "--quiet"]) == 0
    assert f"train loss {format_loss(epoch_loss)}" in err.getvalue()
