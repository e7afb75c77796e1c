"""Test-wide setup: Qt renders offscreen so GUI tests run headless."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MLP_STUDIO_NO_SETTINGS", "1")  # keep tests out of the user's QSettings

from app.scratch import scratch_subdir  # noqa: E402  (no Qt: removed at exit)

os.environ.setdefault("MLP_STUDIO_RECOVERY_DIR", scratch_subdir("recovery"))

import glob  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402


def child_pids() -> set[int]:
    """Processes this one started that still run (Linux: /proc/self/task/*/children)."""
    pids: set[int] = set()
    for path in glob.glob("/proc/self/task/*/children"):
        try:
            with open(path) as f:
                pids |= {int(p) for p in f.read().split()}
        except OSError:
            pass
    return pids


@pytest.fixture(autouse=True, scope="session")
def no_leaked_processes():
    """The run ends with no child process: the split stacks' worker pool (kept
    alive between sweeps by design) is shut down, and nothing else may be left."""
    yield
    pool = sys.modules.get("model.train.stack_pool")
    if pool is not None:
        pool.POOL.shutdown()
    left = child_pids()
    assert not left, f"the tests left child processes running: {sorted(left)}"


@pytest.fixture(autouse=True)
def fresh_split_pace():
    """Each test starts with the split stacks' worker pace unobserved (it is
    process-wide state that earlier tests' splits would have moved)."""
    pace = sys.modules.get("model.train.split_pace")
    if pace is not None:
        pace.reset()
    yield
