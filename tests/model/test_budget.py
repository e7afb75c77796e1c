"""Memory budget: the estimate adds up what the trainer allocates, a run that
would not fit is refused with numbers and a batch size that does fit, and the
CLI and the CSV reader refuse before allocating (checked under RLIMIT_AS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model.data import csv_reader as table_mod
from model.train import budget

ROOT = Path(__file__).resolve().parents[2]


def test_estimate_is_the_sum_of_the_parts():
    # 2-3-1, 10 samples, full batch, adam (2 state copies), float64
    est = budget.estimate_run([2, 3, 1], 10, None, "adam")
    params = 3 * 3 + 4 * 1  # (n_in + 1) × n_out per layer
    fixed = params * 8 * (4 + 2) + 10 * (2 * 2 + 1 + 1) * 8
    per_sample = (2 + 1 + (4 * 3 + 1) + (4 * 1 + 1) + 1) * 8
    assert (est.fixed, est.per_sample, est.batch) == (fixed, per_sample, 10)
    assert est.total == fixed + 10 * per_sample
    assert budget.estimate_run([2, 3, 1], 10, 4, "sgd").batch == 4
    assert budget.estimate_run([2, 3, 1], 10, None, "sgd", grid_points=100).fixed == (
        params * 8 * 4 + 10 * 6 * 8 + 100 * 2 * 4 * 8
    )


def test_huge_full_batch_is_refused_with_numbers_and_a_batch_that_fits():
    limit = 8 << 30
    with pytest.raises(budget.MemoryBudgetError) as info:
        budget.check_run([2, 4096, 4096, 1], 1_000_000, None, "sgd", limit=limit)
    msg = str(info.value)
    assert "for a full batch of 1,000,000 × 4,096" in msg and "GiB" in msg
    n = int(msg.rsplit("at most ", 1)[1].replace(",", ""))
    est = budget.check_run([2, 4096, 4096, 1], 1_000_000, n, "sgd", limit=limit)  # fits
    assert est.total <= limit < budget.estimate_run([2, 4096, 4096, 1], 1_000_000, 2 * n).total


def test_network_too_big_for_any_batch():
    with pytest.raises(budget.MemoryBudgetError, match="do not fit"):
        budget.check_run([4096, 4096, 4096], 10, 1, "adam", limit=1 << 20)


@pytest.mark.parametrize(("raw", "want"), [("0.25", 0.25), ("1", 1.0), ("0", 0.5), ("x", 0.5), ("nan", 0.5)])
def test_share_from_the_environment(monkeypatch, raw, want):
    monkeypatch.setenv(budget.ENV_SHARE, raw)
    assert budget.share() == want


def test_physical_memory_matches_meminfo():
    text = Path("/proc/meminfo").read_text()
    total = int(text.split("MemTotal:")[1].split()[0]) * 1024
    assert 0 < budget.physical_memory() <= total


def test_cli_refuses_an_oversized_run_in_one_line_under_a_memory_limit(tmp_path):
    d = json.loads((ROOT / "resources" / "examples" / "xor_train.json").read_text())
    d["network"].update(layer_sizes=[2, 4096, 4096, 1], activations=["tanh", "tanh", "sigmoid"])
    d["data"] = {"kind": "builtin", "name": "moons", "params": {"n": 1_000_000}}
    d["training"]["batch_size"] = None
    (tmp_path / "big.json").write_text(json.dumps(d))
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "from app.cli import main\n"
        f"sys.exit(main(['train', {str(tmp_path / 'big.json')!r}, '--quiet']))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "full batch of 1,000,000 × 4,096" in lines[0], res.stderr
    assert "of the 2.0 GiB of memory" in lines[0]  # the address-space limit counts
    assert "use mini-batches of at most" in lines[0]


def test_csv_reader_refuses_a_file_whose_columns_would_not_fit(tmp_path, monkeypatch):
    p = tmp_path / "d.csv"
    p.write_text("a,b\n" + "1.5,2.5\n" * 5000)
    monkeypatch.setattr(table_mod, "CHUNK_CELLS", 1000)
    monkeypatch.setenv(budget.ENV_SHARE, "0.000000001")  # ~25 bytes on any machine
    with pytest.raises(
        budget.MemoryBudgetError, match=r"reading d\.csv \(about ([\d,]+) rows × 2 columns\)"
    ) as e:
        table_mod.read_table(p)
    rows = int(str(e.value).split("about ")[1].split(" rows")[0].replace(",", ""))
    assert abs(rows - 5000) < 50  # extrapolated from the first chunk
    monkeypatch.delenv(budget.ENV_SHARE)
    assert table_mod.read_table(p).n_rows == 5000
