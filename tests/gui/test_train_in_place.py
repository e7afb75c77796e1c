"""Training done in place (screenshots, scripts) reaches every view, like live training:
status bar, loss curve, and the canvas values, decision map and accuracy read off the new weights."""

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


def test_in_place_training_refreshes_node_values_map_and_accuracy(make_window):
    doc = Document()
    doc.open(example_path("xor_train"))
    w = make_window(doc)
    view = w.dataset_view
    before_map = np.array(view.heat.image, copy=True)
    assert "100.0 %" not in view.accuracy.text()
    train_in_place(doc, 400)
    assert doc.history["train_acc"][-1] == 1.0
    assert "Training accuracy 100.0 % (4/4)" in view.accuracy.text()
    x, t = doc.probe()
    out = doc.net.predict(x[None, :])[0]
    shown = w.canvas._values[-1]
    np.testing.assert_allclose(shown, out, rtol=1e-12)
    assert abs(float(out[0]) - 0.5) > 0.2  # trained: no longer the untrained 0.5
    assert not np.allclose(before_map, view.heat.image)
