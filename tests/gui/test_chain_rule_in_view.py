"""At 1400×900, 1366×768 and 1280×720 the chain-rule graph of the lecture's
f = (x + y)·z fits the visible part of the plots dock: after Next every stage's
node and its ∂f/∂node label lie inside it, and at the end every label does
(∂f/∂z was cut off below). A wide graph that must scroll keeps the current node
in view."""

import pytest

from tests.gui.probe_common import run_probe


def probe(tmp_path, size, example="lecture_fxyz"):
    return run_probe("chain_rule_probe.py", [*size, example], tmp_path)


@pytest.mark.parametrize("size", [(1400, 900), (1366, 768), (1280, 720)])
def test_every_chain_rule_label_is_in_view(tmp_path, size):
    m = probe(tmp_path, size)
    assert len(m["stages"]) == 5 and all(m["stages"]), m
    assert len(m["all_labels"]) >= 10, m  # 5 boxes, 5 gradient labels
    assert [k for k, ok in m["all_labels"].items() if not ok] == [], m
    assert m["scale"] >= 0.5, m  # readable: not shrunk to a thumbnail


def test_next_scrolls_a_wide_graph_to_the_current_node(tmp_path):
    # at 1280×720 the laptop layout's plots (under canvas and Training) show it whole
    m = probe(tmp_path, (1100, 700), "lecture_chain")
    assert not all(m["all_labels"].values()), m  # too wide to show at once at a readable size
    assert m["scale"] >= 0.5 and len(m["stages"]) >= 4 and all(m["stages"]), m
