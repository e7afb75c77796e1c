"""Training done in place (screenshots, scripts) reaches every view, like live training."""

import numpy as np

from app.document import Document, example_path
from app.training_controller import train_in_place


def test_in_place_training_shows_on_status_bar_canvas_and_loss_curve(make_window):
    doc = Document()
    doc.open(example_path("xor_train"))
    w = make_window(doc)
    train_in_place(doc, 40)
    assert len(doc.history) == 40
    assert w.status.labels["epoch"].text().startswith("epoch 40 ")
    x, y = w.plots.panels["loss"].train_curve.getData()
    assert len(x) == 40
    np.testing.assert_allclose(y, doc.history["train_loss"][:40])
