"""Plot export (PNG/SVG/CSV), diagram export (SVG/PNG) and export_everything."""

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from app.export_all import export_everything
from model.data.datasets import make_dataset, train_val_split
from model.data.preprocessing import fit_scaler
from model.nn.network import Network, NetworkSpec
from model.train.trainer import Trainer, TrainSettings
from widgets.canvas.diagram_export import diagram_size, diagram_svg, export_diagram
from widgets.canvas.network_canvas import NetworkCanvas
from widgets.common.plot_export import export_panel_plots, export_plot, find_plot_items
from widgets.panels.loss_panel import LossPanel

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def run():
    ds = make_dataset("iris")
    train, val = train_val_split(ds, 0.2, 0)
    sc = fit_scaler(train.X, "standardize")
    net = Network(NetworkSpec([4, 5, 3], ["tanh", "softmax"], loss="cross_entropy", seed=0))
    tr = Trainer(
        net,
        sc.transform(train.X),
        train.T,
        TrainSettings(optimizer="adam", lr=0.05),
        sc.transform(val.X),
        val.T,
        task="classification",
    )
    tr.train(40)
    return ds, sc, net, tr.history


@pytest.fixture
def loss_panel(qtbot, run):
    p = LossPanel()
    qtbot.addWidget(p)
    p.resize(800, 450)
    p.show()
    p.set_history(run[3])
    return p


@pytest.fixture
def canvas(qtbot, run):
    net = run[2]
    c = NetworkCanvas()
    qtbot.addWidget(c)
    c.resize(700, 420)
    c.show()
    c.set_network(net.layer_sizes, net.spec.activations, net.weights, net.biases)
    return c


def test_plot_png_has_the_chosen_width(loss_panel, tmp_path):
    path = export_plot(loss_panel.plot, tmp_path / "loss.png", width_px=1234)
    img = QImage(str(path))
    assert not img.isNull() and img.width() == 1234
    item = loss_panel.plot.getPlotItem()
    ratio = item.sceneBoundingRect().height() / item.sceneBoundingRect().width()
    assert img.height() == pytest.approx(1234 * ratio, abs=2)
    # the curve's colour is in the picture
    arr = np.array(
        [[img.pixelColor(x, y).name() for x in range(0, 1234, 3)] for y in range(0, img.height(), 3)]
    )
    assert (arr == "#2f6fdf").sum() > 20


def test_plot_svg_parses_and_has_paths(loss_panel, tmp_path):
    path = export_plot(loss_panel.plot.getPlotItem(), tmp_path / "loss.svg")
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg"
    assert root.findall(f".//{SVG}path") or root.findall(f".//{SVG}polyline")


def test_plot_csv_equals_plotted_data(loss_panel, run, tmp_path):
    h = run[3]
    path = export_plot(loss_panel.plot, tmp_path / "loss.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["training_x", "training_y", "validation_x", "validation_y"]
    cols = np.array([[float(v) for v in r[:4]] for r in body])
    np.testing.assert_array_equal(cols[:, 0], h["epoch"])
    np.testing.assert_array_equal(cols[:, 1], h["train_loss"])  # exact: full precision
    np.testing.assert_array_equal(cols[:, 3], h["val_loss"])


def test_unknown_suffix_and_bad_width(loss_panel, tmp_path):
    with pytest.raises(ValueError, match="format"):
        export_plot(loss_panel.plot, tmp_path / "loss.bmpx")
    with pytest.raises(ValueError, match="width"):
        export_plot(loss_panel.plot, tmp_path / "loss.png", width_px=0)


def test_panel_plots_skip_hidden_plots(qtbot, run, tmp_path):
    p = LossPanel()
    qtbot.addWidget(p)
    p.set_accuracy_visible(False)  # regression: no accuracy plot
    assert len(find_plot_items(p)) == 2  # the loss and the η·λ_max strip
    files = export_panel_plots(p, tmp_path / "plots", "loss")  # never shown: still drawn
    assert [f.name for f in files] == [
        "loss-per-epoch.png",
        "loss-per-epoch.svg",
        "loss-per-epoch.csv",
        "loss-eta-lambda-max.png",
        "loss-eta-lambda-max.svg",
        "loss-eta-lambda-max.csv",
    ]
    assert QImage(str(files[0])).width() > 100


def test_diagram_svg_has_labels_edges_and_legend(canvas, run, tmp_path):
    net = run[2]
    path = export_diagram(canvas, tmp_path / "net.svg")
    root = ET.parse(path).getroot()
    text = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    for l in range(len(net.layer_sizes)):
        for part in canvas.header_text(l).split(" · "):  # "Hidden 1 · tanh · 5"
            assert part in text
    assert "edge: weight w" in text
    assert len(root.findall(f".//{SVG}circle")) == sum(net.layer_sizes)
    edges = root.find(f".//{SVG}g[@id='edges']")
    strokes = {p.get("stroke") for p in edges.iter(SVG + "path")}
    assert len(strokes) >= 4  # several weight bins, both signs
    n_segments = sum(p.get("d").count("M") for p in edges.iter(SVG + "path"))
    assert n_segments == sum(a * b for a, b in zip(net.layer_sizes, net.layer_sizes[1:]))


def test_diagram_png_is_scale_times_the_diagram_size(canvas, tmp_path):
    w, h = diagram_size(canvas)
    for scale in (1.0, 2.5):
        img = QImage(str(export_diagram(canvas, tmp_path / f"net{scale}.png", scale=scale)))
        assert (img.width(), img.height()) == (round(w * scale), round(h * scale))
    assert img.pixelColor(1, 1).name() == "#ffffff"  # white background
    with pytest.raises(ValueError, match="scale"):
        export_diagram(canvas, tmp_path / "bad.png", scale=0)


def test_diagram_of_an_empty_canvas_is_refused(qtbot, tmp_path):
    c = NetworkCanvas()
    qtbot.addWidget(c)
    with pytest.raises(ValueError, match="no network"):
        diagram_svg(c)


def test_export_everything(qtbot, run, canvas, loss_panel, tmp_path):
    ds, sc, net, h = run
    folder = tmp_path / "out" / "run1"
    files = export_everything(
        folder, net, h, {"loss": loss_panel}, canvas, "- optimizer: adam, lr 0.05\n- data: iris", scaler=sc
    )
    names = {f.relative_to(folder).as_posix() for f in files}
    for n in (
        "weights.npz",
        "weights.json",
        "model.onnx",
        "preprocessing.json",
        "history.csv",
        "diagram.svg",
        "diagram.png",
        "README.md",
        "plots/loss-per-epoch.png",
        "plots/loss-per-epoch.svg",
        "plots/loss-per-epoch.csv",
        "plots/loss-accuracy.csv",
    ):
        assert n in names and (folder / n).is_file(), n
    with np.load(folder / "weights.npz", allow_pickle=False) as z:
        np.testing.assert_array_equal(z["W1"], net.weights[0])
        np.testing.assert_array_equal(z["layer_sizes"], net.layer_sizes)
    readme = (folder / "README.md").read_text()
    assert "optimizer: adam" in readme
    for n in names - {"README.md"}:
        assert f"`{n}`" in readme, n
    assert (folder / "history.csv").read_text() == h.to_csv()
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"x": ds.X.astype(np.float32)})[0]
    np.testing.assert_allclose(got, net.predict(sc.transform(ds.X)), atol=1e-5)


def test_export_everything_errors(run, canvas, tmp_path):
    net = run[2]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="not a folder"):
        export_everything(blocker, net, None, {}, canvas, "")
    with pytest.raises(ValueError, match="no network"):
        export_everything(tmp_path / "x", None, None, {}, canvas, "")
