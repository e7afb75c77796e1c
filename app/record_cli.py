"""``mlp-studio PROJECT --record OUT.gif|OUT.mp4 --train-epochs N [--waves]
[--size WxH] [--fps F] [--frames K]``: record offscreen, a progress line on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from .recorder import Recorder, RecordSettings, parse_size

MIN_WINDOW = (1200, 760)  # the layout the frames are composed from (scaled to --size)


def record(app, win, args) -> int:
    try:
        if args.train_epochs < 1:
            raise ValueError("--record needs --train-epochs N (N ≥ 1): the epochs to record")
        size = parse_size(args.size or "1280x720")
        settings = RecordSettings(
            Path(args.record), args.train_epochs, args.frames, args.fps, size, args.waves
        )
        settings.validate()
    except ValueError as e:
        print(f"mlp-studio: error: {e}", file=sys.stderr)
        return 1
    win.resize(max(size[0], MIN_WINDOW[0]), max(size[1], MIN_WINDOW[1]))
    win.show()
    for key in ("inspector", "training"):  # side panels the frames do not show: room for the canvas
        if key in win.docks:
            win.docks[key].hide()
    for _ in range(5):
        app.processEvents()
    win.canvas.fit_view()
    app.processEvents()

    def progress(k: int, n: int) -> bool:
        print(f"\rrecording frame {k}/{n}", end="", file=sys.stderr, flush=True)
        return True

    try:
        n = Recorder(win, settings, app.processEvents).run(progress)
    except (OSError, ValueError, RuntimeError) as e:
        print(f"\nmlp-studio: error: could not write {settings.path}: {e}", file=sys.stderr)
        return 1
    finally:
        win.doc.undo_stack.setClean()
        win.doc._results_dirty = False
        win.close()
    print(f"\nwrote {settings.path}: {n} frames, {size[0]}x{size[1]}, {settings.fps:g} fps", file=sys.stderr)
    return 0
