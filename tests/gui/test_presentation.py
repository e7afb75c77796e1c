"""Presentation mode at 1920×1080, measured in the rendered image: node values
at least 18 px tall, plot, menu and input-chip text grown with them, full screen,
chosen docks hidden, and everything back to normal afterwards.

The probe waits until the window has settled (full-screen geometry, docks, the
canvas's fit and the chip strip's reserved room all stopped changing), never for
a fixed number of event rounds: a picture grabbed while the fit was still moving
measured other node spacings, and values on a dense column used to be drawn on
every node, their pills covering each other's digits (17 px under load)."""

from tests.gui.probe_common import run_probe


def test_presentation_text_and_node_values_are_projector_sized(tmp_path):
    m = run_probe("presentation_probe.py", [tmp_path / "p.png"], tmp_path)
    normal, pres = m["normal"], m["presentation"]
    assert m["presentation_geometry"] == [0, 0, 1920, 1080]
    assert "data" in m["hidden_docks"] and "training" in m["hidden_docks"]
    assert pres["node"] >= 18, m
    assert normal["node"] > 0 and pres["node"] >= 1.6 * normal["node"], m
    assert pres["tick"] >= 1.4 * normal["tick"], m  # plot text zooms with the rest
    assert pres["menu"] >= 1.4 * normal["menu"], m
    # the input chips in the canvas corner grow by the zoom (9 pt before: 9 px both ways)
    assert normal["chip"] > 0 and pres["chip"] >= 0.85 * m["zoom"] * normal["chip"], m
    assert m["after_chip"] == normal["chip"], m
    assert m["chip_clear"], "the network is fitted below the grown chip strip"
    assert m["status_short"] == [], "status read-outs cut off while presenting"
    assert m["after"] == {"zoom": 1.0, "node": normal["node"]}
    # a panel first built while presenting zooms too, and shrinks back on leaving
    # spiral 2-16x4-1: nodes smaller than the text, values still projector sized
    assert m["wide_node_diameter"] < 30 and m["wide_node"] >= 18, m
    # a value on every k-th node there, so no pill covers another's digits
    assert len(m["wide_labelled"]) == 3 and m["wide_labelled"][1] - m["wide_labelled"][0] >= 2, m
    assert m["lazy"]["built_presenting"] >= 1.4 * m["lazy"]["after"], m
    assert m["lazy"]["pen_presenting"] == 2 * m["zoom"] and m["lazy"]["pen_after"] == 2, m
    assert (tmp_path / "p.png").stat().st_size > 10_000
