"""MLP Studio application shell (Qt): entry point, CLI, main window, document."""

from pathlib import Path


def resources_path() -> Path:
    """The shipped resources folder (examples, datasets, icons, style)."""
    import resources

    return Path(resources.__file__).resolve().parent
