"""NeuronMapView and neuron thumbnails."""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from model.data.preprocessing import Scaler
from model.nn.network import Network, NetworkSpec
from model.teaching.neuron_maps import decision_line
from widgets.panels.neuron_map_view import NeuronMapView, map_levels, maps_for, thumbnail_images

EXTENT = (-0.5, 1.5, -0.5, 1.5)


def xor_net() -> Network:
    spec = NetworkSpec([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    return Network(
        spec,
        [np.array([[20.0, -20.0], [20.0, -20.0]]), np.array([[20.0], [20.0]])],
        [np.array([-10.0, 30.0]), np.array([-30.0])],
    )


def _rgb(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), 2::-1].astype(int)


def test_view_renders_map_points_and_line(qtbot):
    net = xor_net()
    maps = maps_for(net, None, EXTENT, 60)
    v = NeuronMapView()
    qtbot.addWidget(v)
    v.resize(400, 420)
    v.set_map(maps[0][:, :, 0], EXTENT, "Hidden 1, neuron 1")
    v.set_points(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), [0, 1, 1, 0])
    v.set_line(decision_line(net.weights[0], net.biases[0], 0))
    v.show()
    qtbot.waitExposed(v)
    rgb = _rgb(v.grab().toImage())
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    blue = ((b - r > 80) & (b - g > 40)).sum()
    orange = ((r - b > 100) & (r - g > 50)).sum()
    # below-left of 20x + 20y − 10 = 0 (orange) is 1.125 of the 4 square units
    assert 2 * orange < blue < 4 * orange
    assert v.title.text() == "Hidden 1, neuron 1" and v.levels == (0.0, 1.0)
    assert len(v.line.getData()[0]) == 2
    v.set_points_visible(False)
    assert not v.points.isVisible()
    v.set_map(None, EXTENT)
    assert v.values is None


def test_maps_for_scales_the_raw_grid():
    net = xor_net()
    sc = Scaler("standardize", offset=[10.0, 10.0], scale=[2.0, 2.0])
    raw = maps_for(net, sc, (9, 13, 9, 13), 5)  # scaled: (−0.5 … 1.5)
    direct = maps_for(net, None, EXTENT, 5)
    np.testing.assert_allclose(raw[1], direct[1])


def test_thumbnails_have_the_size_and_differ_between_neurons(qtbot):
    maps = maps_for(xor_net(), None, EXTENT, 40)
    th = thumbnail_images(maps, size=24)
    assert len(th) == 3  # two hidden + one output
    assert all(isinstance(t, QImage) and (t.width(), t.height()) == (24, 24) for t in th)
    px = [_rgb(t) for t in th]
    assert all(not np.array_equal(px[i], px[j]) for i in range(3) for j in range(i + 1, 3))
    corner = th[0].pixelColor(0, 0)
    assert corner.alpha() == 0 and th[0].pixelColor(12, 12).alpha() == 255
    # y up: unit 1 is high (blue) top right, low (orange) bottom left
    top_right, bottom_left = px[0][4, 19], px[0][19, 4]
    assert top_right[2] > top_right[0] and bottom_left[0] > bottom_left[2]
    single = thumbnail_images([maps[0][:, :, 1]], size=16, round_mask=False)
    assert len(single) == 1 and single[0].width() == 16 and single[0].pixelColor(0, 0).alpha() == 255
    with pytest.raises(ValueError):
        thumbnail_images(maps, size=1)


def test_levels_follow_the_activation_range():
    assert map_levels(np.array([0.1, 0.9])) == (0.0, 1.0)
    assert map_levels(np.array([-0.5, 0.9])) == (-1.0, 1.0)
    assert map_levels(np.array([0.0, 3.0])) == (-3.0, 3.0)
