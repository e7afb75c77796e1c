"""Test-wide setup: Qt renders offscreen so GUI tests run headless."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MLP_STUDIO_NO_SETTINGS", "1")  # keep tests out of the user's QSettings

import tempfile  # noqa: E402

os.environ.setdefault("MLP_STUDIO_RECOVERY_DIR", tempfile.mkdtemp(prefix="mlp-studio-recovery-"))
