"""TimelineBar: every training frame hands it the keyframes; only new ones change it."""

from widgets.panels.timeline_bar import TimelineBar


def test_same_keyframes_change_nothing_and_new_ones_follow(qtbot):
    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.set_epochs([1, 2, 4])
    assert bar.label.text() == "epoch 4 (live)" and bar.slider.value() == 2
    bar.choose(0)  # scrubbed back
    texts = []
    bar.label.setText = lambda t, f=bar.label.setText: (texts.append(t), f(t))
    for _ in range(5):  # training frames with no new keyframe
        bar.set_epochs([1, 2, 4])
    assert texts == []  # nothing re-set (each set re-laid the window out)
    assert bar.slider.value() == 0 and bar.label.text() == "epoch 1"
    bar.set_epochs([1, 2, 4, 8])  # a new keyframe: the scrub position stays
    assert bar.slider.maximum() == 3 and bar.slider.value() == 0 and texts == ["epoch 1"]
    bar.go_live()
    bar.set_epochs([1, 2, 4, 8, 16])  # live: follows the newest
    assert bar.slider.value() == 4 and bar.label.text() == "epoch 16 (live)"
