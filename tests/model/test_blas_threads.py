"""BLAS thread control: set, read back, restored after a block (also on error)."""

import threading

import numpy as np
import pytest

from model.nn import blas_threads as bt

pytestmark = pytest.mark.skipif(bt.blas_threads() is None, reason="BLAS thread count not controllable here")


@pytest.fixture(autouse=True)
def _restore():
    before = bt.blas_threads()
    yield
    bt.set_blas_threads(before)


def test_set_reads_back_and_returns_the_previous_count():
    start = bt.blas_threads()
    assert bt.set_blas_threads(3) == start
    assert bt.blas_threads() == 3
    assert bt.set_blas_threads(1) == 3
    assert bt.blas_threads() == 1


def test_limited_blas_restores_also_after_an_exception():
    bt.set_blas_threads(2)
    with pytest.raises(RuntimeError):
        with bt.limited_blas(1) as prev:
            assert prev == 2 and bt.blas_threads() == 1
            a = np.arange(12.0).reshape(3, 4)
            assert (a @ a.T)[2, 2] == pytest.approx(8**2 + 9**2 + 10**2 + 11**2)
            raise RuntimeError("boom")
    assert bt.blas_threads() == 2


def test_nested_and_overlapping_blocks_restore_the_first_count_once_all_end():
    bt.set_blas_threads(2)
    inside, release = threading.Event(), threading.Event()

    def other():
        with bt.limited_blas(1):
            inside.set()
            release.wait(30)

    t = threading.Thread(target=other)
    with bt.limited_blas(1):
        t.start()
        assert inside.wait(30)
        with bt.limited_blas(1):
            assert bt.blas_threads() == 1
    assert bt.blas_threads() == 1  # the other thread's block is still open
    release.set()
    t.join(30)
    assert not t.is_alive()
    assert bt.blas_threads() == 2


def test_a_bad_count_is_refused():
    with pytest.raises(ValueError):
        bt.set_blas_threads(0)
    with pytest.raises(ValueError):
        with bt.limited_blas(0):
            pass
