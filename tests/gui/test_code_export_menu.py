"""File ▸ Export ▸ PyTorch Script / NumPy Script write the script with its weights and data."""

import subprocess
import sys

import numpy as np


def _export_menu_texts(win):
    return [a.text().replace("&", "") for a in win.menus.export.actions()]


def test_export_scripts_from_the_menu(win, tmp_path, monkeypatch):
    assert "PyTorch Script…" in _export_menu_texts(win) and "NumPy Script…" in _export_menu_texts(win)
    for key, name in (("export_pytorch", "train_pt.py"), ("export_numpy", "train_np.py")):
        monkeypatch.setattr(win.dialogs, "ask_save_path", lambda *a, n=name: str(tmp_path / n))
        win.acts[key].trigger()
    assert "nn.Sequential(" in (tmp_path / "train_pt.py").read_text()
    saved = np.load(tmp_path / "train_np_weights.npz")
    np.testing.assert_array_equal(saved["W1"], win.doc.net.weights[0])  # the current weights
    assert (tmp_path / "train_np_data.csv").read_text().startswith("x1,x2,")
    r = subprocess.run(
        [sys.executable, str(tmp_path / "train_np.py"), "--epochs", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "epoch 2/2" in r.stderr


def test_export_script_error_is_one_line(win, tmp_path, monkeypatch):
    monkeypatch.setattr(win.dialogs, "ask_save_path", lambda *a: str(tmp_path / "train.txt"))
    win.acts["export_numpy"].trigger()
    assert ".py" in win.last_error and "\n" not in win.last_error
