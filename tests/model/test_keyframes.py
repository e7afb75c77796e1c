"""Timeline keyframes: bit-identical restores, log spacing and the memory bound over 100,000 epochs."""

import numpy as np

from model.nn.network import Network
from model.nn.spec import NetworkSpec
from model.train.keyframes import Keyframes
from model.train.trainer import Trainer, TrainSettings

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
T = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_every_epoch_of_a_short_run_restores_bit_identical_weights():
    net = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=1))
    tr = Trainer(net, X, T, TrainSettings(optimizer="adam", lr=0.05, batch_size=2, epochs=60))
    kf = Keyframes()
    seen = {}
    kf.record(0, net.weights, net.biases)
    seen[0] = [w.copy() for w in net.parameters()]
    for _ in range(60):
        tr.run_epoch()
        kf.record(tr.epoch, net.weights, net.biases, tr.history["train_loss"][-1])
        seen[tr.epoch] = [w.copy() for w in net.parameters()]
    assert list(kf.epochs) == list(range(61))  # a short run: every epoch
    W, b = kf[kf.nearest(23)].copy_parameters()
    other = Network(net.spec)
    other.set_parameters(W, b)
    for a, want in zip(other.parameters(), seen[23]):
        assert a.tobytes() == want.tobytes()
    assert kf[kf.nearest(23.4)].epoch == 23 and kf[kf.nearest(999)].epoch == 60
    assert kf[30].loss == tr.history["train_loss"][29]
    # training again from a restored keyframe drops the frames after it
    kf.record(23, W, b)
    assert kf.epochs[-1] == 23 and len(kf) == 24


def test_memory_bound_holds_over_100000_epochs_and_frames_are_log_spaced():
    kf = Keyframes(max_frames=200)
    w, b = [np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(3), np.zeros(1)]
    frame_bytes = sum(a.nbytes for a in w + b)
    for e in range(100_001):
        w[0][0, 0] = e  # each frame a distinct copy
        kf.record(e, w, b)
        assert len(kf) <= 200
    assert len(kf) == 200 and kf.nbytes == 200 * frame_bytes
    ep = kf.epochs
    assert ep[0] == 0 and np.all(np.diff(ep) > 0)
    assert np.log1p(100_000) - np.log1p(ep[-1]) < 2 * np.log1p(100_000) / 200  # the end is within a gap
    assert kf[kf.nearest(50_000)].weights[0][0, 0] == kf[kf.nearest(50_000)].epoch  # copies, not views
    # log spacing: every decade 10…100,000 holds frames, none is crowded
    counts = [np.count_nonzero((ep >= 10**k) & (ep < 10 ** (k + 1))) for k in range(1, 5)]
    assert all(c >= 20 for c in counts), counts
    gaps = np.diff(np.log1p(ep[ep >= 10]))  # (below 10 every whole epoch is kept)
    assert gaps.max() < 3 * np.log1p(100_000) / 200


def test_byte_bound_caps_frames_of_big_networks():
    kf = Keyframes(max_frames=400, max_bytes=10_000)
    big = [np.zeros((25, 10))]  # 2,000 bytes a frame (+80 bias)
    for e in range(50):
        kf.record(e, big, [np.zeros(10)])
    assert kf.capacity == 10_000 // 2_080 and len(kf) == kf.capacity and kf.nbytes <= 10_000


def test_keyframes_travel_with_the_history_rows_of_a_worker():
    from model.train.history import History

    net = Network(NetworkSpec(layer_sizes=[2, 3, 1], activations=["tanh", "sigmoid"], loss="mse", seed=2))
    doc_history = History(2)
    worker = Trainer(net.copy(), X, T, TrainSettings(lr=0.5, epochs=50), history=doc_history.copy())
    start = (0, 0, 0)
    assert list(worker.history.keyframes.epochs) == [0]  # the initial weights are frame 0
    worker.train(epochs=5)
    doc_history.append_rows(worker.history.rows_since(start))
    assert list(doc_history.keyframes.epochs) == list(range(6))
    for a, b in zip(doc_history.keyframes[5].weights, worker.net.weights):
        assert a.tobytes() == b.tobytes()
    with np.testing.assert_raises(ValueError):
        doc_history.keyframes[3].weights[0][0, 0] = 1.0  # frames are read-only: shared between threads
    mid = worker.history.cursor
    worker.stop_reason = None  # a raised epoch limit lets a finished run continue
    worker.train(epochs=3)
    doc_history.append_rows(worker.history.rows_since(mid))
    assert list(doc_history.keyframes.epochs) == list(range(9))
    assert list(doc_history.copy().keyframes.epochs) == list(range(9))


def test_revision_changes_exactly_when_the_frames_do():
    """Readers that look every training frame compare the revision instead of the epochs (O(1))."""
    kf = Keyframes(max_frames=4)
    w, b = [np.zeros((2, 3))], [np.zeros(3)]
    seen = [(kf.revision, list(kf.frames))]
    # at capacity epoch 4 is too near to be kept; 5000 again replaces its frame; 2 rewinds
    for epoch in (0, 1, 2, 3, 4, 5, 5000, 5000, 2):
        kf.record(epoch, w, b)
        seen.append((kf.revision, list(kf.frames)))
    kf.clear()
    seen.append((kf.revision, list(kf.frames)))
    changed = [r1 != r0 for (r0, _), (r1, _) in zip(seen, seen[1:])]
    assert changed == [
        len(f0) != len(f1) or any(a is not b for a, b in zip(f0, f1))
        for (_, f0), (_, f1) in zip(seen, seen[1:])
    ]
    assert changed == [True, True, True, True, False, True, True, True, True, True]
