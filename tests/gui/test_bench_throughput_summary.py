"""The throughput bench's summing-up of interleaved headless/GUI rounds (pure arithmetic on
given figures; the bench itself is tests/bench/gui_responsiveness.py, never run here)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from gui_responsiveness import throughput_summary  # noqa: E402


def _run(rate, others=1.0):
    return {"updates_per_s": rate, "other_processes_cpu_per_s": others, "ms_per_update": 1000 / rate}


def test_pairs_are_each_gui_run_over_the_headless_run_before_it_with_medians():
    hl = [_run(400), _run(200), _run(300)]
    gui = [_run(360), _run(190), _run(240)]
    loads = {"throughput_headless": [1.0, 2.0, 1.5], "throughput_gui": [1.2, 1.8, 1.7]}
    t = throughput_summary(hl, gui, loads)
    assert [p["ratio"] for p in t["pairs"]] == pytest.approx([0.9, 0.95, 0.8])
    assert [p["load"] for p in t["pairs"]] == [1.2, 2.0, 1.7]  # the higher of the pair's two
    assert t["headless_median"] == 300 and t["gui_median"] == 240
    assert t["ratio_median"] == pytest.approx(0.9) and t["ratio_of_medians"] == pytest.approx(0.8)
    assert t["ratio_min"] == pytest.approx(0.8)


def test_a_failed_run_drops_its_pair_only():
    hl = [_run(400), {"error": "boom"}]
    gui = [_run(380), _run(100)]
    loads = {"throughput_headless": [1.0, 1.0], "throughput_gui": [1.0, 1.0]}
    t = throughput_summary(hl, gui, loads)
    assert len(t["pairs"]) == 1 and t["ratio_median"] == pytest.approx(0.95)
    assert throughput_summary([], [], {"throughput_headless": [], "throughput_gui": []}) == {"pairs": []}
