"""DatasetView: points over decision regions, feature choice, confusion matrix,
clicking a point — checked on rendered pixels and emitted signals."""

import numpy as np
from PySide6.QtCore import QPointF, Qt
from qt_helpers import pixels, show

from model.data.datasets import make_dataset, train_val_split
from widgets.panels.class_colours import BINARY_COLORS, CLASS_PALETTE, HEAT_ALPHA
from widgets.panels.dataset_view import DatasetView


def _xor_view(qtbot):
    w = show(qtbot, DatasetView(), (420, 460))
    ds = make_dataset("xor")
    w.set_data(ds, ds.subset([]))
    X, ext = w.grid_inputs(40)
    assert X.shape == (1600, 2)
    xor = ((X[:, 0] > 0.5) != (X[:, 1] > 0.5)).astype(float)
    w.set_grid_output(xor.reshape(40, 40), ext)
    return w, ds


def _has_color(img, hex_color, tol=12, min_count=20):
    from PySide6.QtGui import QColor

    c = QColor(hex_color)
    arr = pixels(img)
    d = np.abs(arr[..., :3].astype(int) - [c.red(), c.green(), c.blue()]).max(axis=2)
    return int((d <= tol).sum()) >= min_count


def test_dataset_view_renders_both_classes(qtbot):
    w, _ = _xor_view(qtbot)
    img = w.grab().toImage()
    assert _has_color(img, BINARY_COLORS[0]) and _has_color(img, BINARY_COLORS[1])
    px = pixels(w.plot.grab().toImage())
    blue_bg = (px[..., 2].astype(int) - px[..., 0] > 40).sum()  # blue-tinted heat-map pixels
    orange_bg = (px[..., 0].astype(int) - px[..., 2] > 40).sum()
    assert blue_bg > 2000 and orange_bg > 2000


def _click_point(qtbot, w, x, y, dx=0):
    scene = w.vb.mapViewToScene(QPointF(x, y))
    vp = w.plot.mapFromScene(scene)
    qtbot.mouseClick(w.plot.viewport(), Qt.MouseButton.LeftButton, pos=vp + type(vp)(dx, 0))


def test_dataset_view_click_selects_nearest_point(qtbot):
    w, ds = _xor_view(qtbot)
    for i in (2, 1):
        with qtbot.waitSignal(w.pointClicked) as blocker:
            _click_point(qtbot, w, *ds.X[i], dx=3)
        assert blocker.args == [i]
    with qtbot.assertNotEmitted(w.pointClicked):
        _click_point(qtbot, w, 0.5, 0.5)  # empty space
    w.set_probe(3)
    x, y = w.probe_ring.getData()
    assert (x[0], y[0]) == (1.0, 1.0)


def test_dataset_view_confusion_matrix(qtbot):
    w = show(qtbot, DatasetView())
    ds = make_dataset("gaussians", n=9, seed=1)  # 3 classes, one-hot targets
    w.set_data(ds)
    true = ds.labels()
    pred_cls = true.copy()
    pred_cls[true == 0] = 1  # every class-0 sample predicted as class 1
    pred = np.eye(3)[pred_cls] * 0.8 + 0.1
    w.set_predictions(pred)
    expected = np.zeros((3, 3), int)
    for t, p in zip(true, pred_cls):
        expected[t, p] += 1
    np.testing.assert_array_equal(w.confusion_matrix(), expected)
    n_ok = int((true == pred_cls).sum())
    assert f"({n_ok}/9)" in w.accuracy.text()


def test_dataset_view_binary_confusion_matrix(qtbot):
    w = show(qtbot, DatasetView())
    ds = make_dataset("xor")
    w.set_data(ds)
    w.set_predictions(np.array([[0.2], [0.9], [0.3], [0.1]]))  # targets 0, 1, 1, 0
    np.testing.assert_array_equal(w.confusion_matrix(), [[2, 0], [1, 1]])
    assert "75.0 %" in w.accuracy.text()


def test_dataset_view_multiclass_regions_use_class_colours(qtbot):
    w = show(qtbot, DatasetView(), (420, 460))
    ds = make_dataset("gaussians", seed=0)
    w.set_data(ds)
    X, ext = w.grid_inputs(30)
    scores = np.zeros((900, 3))
    scores[np.arange(900), (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)] = 1.0  # certain everywhere
    w.set_grid_output(scores.reshape(30, 30, 3), ext)
    w.grab()  # render
    q = w.heat.qimage  # pixel (ix, iy) of the grid; full confidence → the class colour at HEAT_ALPHA
    for (ix, iy), c in (((0, 0), 0), ((29, 0), 1), ((0, 29), 1), ((29, 29), 2)):
        col = q.pixelColor(ix, iy)
        assert col.name() == CLASS_PALETTE[c] and col.alpha() == HEAT_ALPHA


def test_dataset_view_feature_choice_for_iris(qtbot):
    w = show(qtbot, DatasetView(), (420, 560))
    train, val = train_val_split(make_dataset("iris"), 0.3, 0)
    w.set_data(train, val)
    assert w.feature_row.isVisible()
    with qtbot.waitSignal(w.featuresChanged):
        w.x_combo.setCurrentIndex(1)
    with qtbot.waitSignal(w.featuresChanged) as blocker:
        w.y_combo.setCurrentIndex(3)
    fx, fy = blocker.args
    assert (fx, fy) == (1, 3) == w.features()
    X, (x0, x1, y0, y1) = w.grid_inputs(25)
    assert X.shape == (625, 4)
    mean = train.X.mean(axis=0)
    np.testing.assert_allclose(X[:, 0], mean[0])
    np.testing.assert_allclose(X[:, 2], mean[2])
    G = X.reshape(25, 25, 4)
    np.testing.assert_allclose(G[0, :, 1], np.linspace(x0, x1, 25))  # x varies along ix
    np.testing.assert_allclose(G[:, 0, 3], np.linspace(y0, y1, 25))  # y varies along iy
    both = np.vstack([train.X, val.X])
    assert x0 < both[:, 1].min() and x1 > both[:, 1].max()
    assert w.plot.getAxis("bottom").labelText == train.feature_names[1]


def test_dataset_view_sine_curve(qtbot):
    w = show(qtbot, DatasetView())
    assert w.grid_inputs(10) is None  # nothing shown yet
    ds = make_dataset("sine")
    w.set_data(ds)
    assert not w.feature_row.isVisible() and not w.stats.isVisible()
    X, ext = w.grid_inputs(50)
    assert X.shape == (50, 1)
    w.set_grid_output(np.sin(X), ext)
    x, y = w.curve.getData()
    np.testing.assert_allclose(y, np.sin(X[:, 0]))
    assert not w.heat.isVisible()
    img = w.grab().toImage()
    assert _has_color(img, "#d62728", tol=20)


def test_fig_5_23_three_hidden_unit_lines_match_the_weights(win, qtbot):
    """eleven_points: one click draws the three first-layer lines w_i1 x1 + w_i2 x2 = θ_i."""
    d = win.doc
    d.open_example("eleven_points")
    dv = win.dataset_view
    assert dv.lines_check.isVisible() and not dv.lines_check.isChecked()
    dv.lines_check.click()  # one click
    assert dv.lines_check.isChecked()
    items = [it for it in dv.overlay.items if it.isVisible()]
    assert len(items) == 3 == d.spec.layer_sizes[1]
    W, b = d.net.weights[0], d.net.biases[0]
    sc = d.data.scaler
    pens = set()
    for i, it in enumerate(items):
        xs, ys = it.getData()
        Z = sc.transform(np.c_[xs, ys])
        np.testing.assert_allclose(Z @ W[:, i], -b[i], atol=1e-9)  # w·x = θ = −bias
        pens.add(it.opts["pen"].color().name())
    assert len(pens) == 3  # coloured by unit
    assert "unit 3" in dv.lines_caption.text()


def test_linear_collapse_shows_the_product_matrix_and_its_line(win):
    d = win.doc
    d.open_example("linear_collapse")
    dv = win.dataset_view
    text = dv.lines_caption.text()
    assert "W₁W₂W₃W₄" in text and "single decision line" in text
    W = d.net.weights[0] @ d.net.weights[1] @ d.net.weights[2] @ d.net.weights[3]
    assert f"{W[0, 0]:.3g}" in text
    xs, ys = dv.overlay.collapse_item.getData()
    assert len(xs) == 2


def test_outputs_of_exactly_one_half_are_undecided(win):
    d = win.doc
    dv = win.dataset_view
    dv.set_predictions(np.full((len(d.data.train), 1), 0.5) + np.array([[1e-16], [-1e-16], [0], [2e-16]]))
    assert "Training accuracy 0.0 % (0/4)" in dv.accuracy.text() and "4 undecided" in dv.accuracy.text()
