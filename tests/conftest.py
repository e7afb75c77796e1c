"""Test-wide setup: Qt renders offscreen so GUI tests run headless."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MLP_STUDIO_NO_SETTINGS", "1")  # keep tests out of the user's QSettings
