"""``mlp-studio [PROJECT] [--autosave-seconds S] [--recovery-dir DIR] [--screenshot OUT.png]
[--train-epochs N] [--panel NAME]``."""

from __future__ import annotations

import argparse
import gc
import sys

PANELS = ("loss", "lr", "optimizers", "gradients", "chain-rule", "predict", "hidden")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mlp-studio",
        description="MLP Studio: design, train and watch "
        "multilayer perceptrons. Subcommands 'train' and 'predict' run headless.",
    )
    p.add_argument("project", nargs="?", help="project file to open (default: the XOR example)")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.add_argument("--train-epochs", type=int, default=0, metavar="N", help="train N epochs first")
    p.add_argument("--panel", choices=PANELS, help="bring this plot panel to the front")
    p.add_argument("--size", help="image size for --screenshot (1400x900) or --record (1280x720), WxH")
    p.add_argument(
        "--record", metavar="OUT.gif|OUT.mp4", help="record --train-epochs N epochs offscreen and exit"
    )
    p.add_argument("--fps", type=float, default=10.0, help="frames per second of --record (default 10)")
    p.add_argument(
        "--frames", type=int, metavar="K", help="frames of --record (default: one per epoch, ≤ 201)"
    )
    p.add_argument("--waves", action="store_true", help="--record the forward/backward waves too")
    p.add_argument(
        "--theme",
        choices=("system", "light", "dark", "high-contrast"),
        help="colour theme (default: the one chosen last, else the system's)",
    )
    p.add_argument("--presentation", action="store_true", help="start in presentation mode (F11)")
    p.add_argument(
        "--autosave-seconds",
        type=_positive_seconds,
        default=None,
        metavar="S",
        help="write the crash-recovery copy of unsaved work every S seconds (default 60)",
    )
    p.add_argument(
        "--recovery-dir",
        metavar="DIR",
        default=None,
        help="folder for the crash-recovery copies (default: the app's data folder)",
    )
    # test hook: start training as soon as the window is up (kill -9 during training)
    p.add_argument("--play", action="store_true", help=argparse.SUPPRESS)
    return p


def _positive_seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not (v > 0 and v < 1e7):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return v


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    offscreen = bool(args.screenshot or args.record)
    if not offscreen and not _qt_can_start():
        return 1
    if offscreen:
        import os

        from .screen_setup import offscreen_screen, parse_size

        try:
            args.size_px = parse_size(args.size or ("1280x720" if args.record else "1400x900"))
        except ValueError as e:
            print(f"mlp-studio: error: {e}", file=sys.stderr)
            return 1
        offscreen_screen(*args.size_px)  # the picture's size is the screen's
        os.environ["MLP_STUDIO_NO_SETTINGS"] = "1"  # a screenshot shows the default layout
        from .scratch import scratch_subdir  # and never touches the user's crash-recovery file

        os.environ["MLP_STUDIO_RECOVERY_DIR"] = scratch_subdir("recovery")
    from PySide6.QtWidgets import QApplication

    if offscreen:
        from .screen_setup import quiet_offscreen_warnings

        quiet_offscreen_warnings()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MLP Studio")
    app.setOrganizationName("MLP Studio")

    from .document import Document
    from .main_window import MainWindow

    try:
        doc = Document()
        if args.project:
            doc.open(args.project)
    except (ValueError, OSError) as e:
        print(f"mlp-studio: error: {e}", file=sys.stderr)
        return 1
    if offscreen or not _can_show_frame_first(app, args):
        configure_pyqtgraph(app)
        win = MainWindow(doc)
    else:  # on screen before pyqtgraph is imported: the frame first, the plots right after
        win = MainWindow(doc, deferred=True)
        win.before_building = lambda: configure_pyqtgraph(app)
    if args.record or args.screenshot:
        _start(win, args)
        return _record(app, win, args) if args.record else screenshot(app, win, args)
    from PySide6.QtCore import QTimer

    from .first_expose import after_first_expose

    windows = [win]
    configure = {"interval": args.autosave_seconds, "folder": args.recovery_dir}
    win.autosaver.configure(**configure)

    def complete() -> None:
        win.finish_building()
        _start(win, args)
        # the window's ~75,000 Python objects live as long as it does: out of the
        # collector's sight, the periodic full collection on the GUI thread costs
        # ~0 ms instead of ~90 ms (a stall every minute or so while training)
        QTimer.singleShot(0, gc.freeze)
        _offer_orphans(win, windows, configure, fresh=not args.project)
        if args.play:
            win.controller.play()

    after_first_expose(win, complete)
    win.show()
    return app.exec()


def configure_pyqtgraph(app) -> None:
    """pyqtgraph's options, before its first widget; cyclic garbage collected on the
    GUI thread only (a collection started by a worker's allocation would destroy
    Qt objects from the wrong thread)."""
    if getattr(app, "_gc", None) is not None:
        return
    import pyqtgraph as pg
    from pyqtgraph.util.garbage_collector import GarbageCollector

    pg.setConfigOptions(antialias=True, background="w", foreground="#30343b")
    app._gc = GarbageCollector(interval=0.5)


def _can_show_frame_first(app, args) -> bool:
    """Whether the window may be shown before pyqtgraph is there: not when finishing
    it would change what is on screen (a theme other than a light system one,
    presentation mode's full screen)."""
    if args.theme or args.presentation:
        return False
    from PySide6.QtCore import Qt

    from .app_settings import app_settings

    if app_settings().value("view/theme") not in (None, "", "system"):
        return False
    try:
        return app.styleHints().colorScheme() != Qt.ColorScheme.Dark
    except AttributeError:  # Qt before 6.5
        return True


def _start(win, args) -> None:
    """--theme and --presentation, on the complete window."""
    if args.theme:
        win.classroom.set_theme(args.theme, remember=False)
    if args.presentation:
        win.classroom.set_presentation(True)


def _record(app, win, args) -> int:
    from .record_cli import record

    return record(app, win, args)


def _offer_orphans(win, windows: list, configure: dict, fresh: bool) -> None:
    """Offer every recovery copy whose window died; the first restored one goes
    into the start window if it holds nothing yet, the others get windows of their own."""
    from .autosave import orphaned_recoveries, remove_stale_temp_files
    from .document import Document
    from .main_window import MainWindow

    folder = win.autosaver.folder
    remove_stale_temp_files(folder)
    for orphan in orphaned_recoveries(folder):
        target = win
        if not fresh:
            target = MainWindow(Document())
            target.autosaver.configure(**configure)
        if target.files.offer_recovery(orphan):
            if target is not win:
                target.show()
                windows.append(target)  # kept alive for the session
            fresh = False
        elif target is not win:
            target.close()


def _qt_can_start() -> bool:
    """No display or a missing system library: one line, instead of Qt's core dump."""
    from .display_check import check_display, import_error_message

    problem = check_display()
    if problem is None:
        try:
            import PySide6.QtGui  # noqa: F401  (needs libEGL, libGL, libfontconfig…)
        except ImportError as e:
            problem = import_error_message(e)
    if problem is not None:
        print(problem, file=sys.stderr)
    return problem is None


def screenshot(app, win, args) -> int:
    from .training_controller import train_in_place

    if args.train_epochs > 0:
        train_in_place(win.doc, args.train_epochs)
    if args.panel:
        try:
            win.show_panel(args.panel)
        except ValueError as e:
            print(f"mlp-studio: error: {e}", file=sys.stderr)
            return 1
    from .screen_setup import render_window

    ok = render_window(app, win, *args.size_px).save(args.screenshot)
    win.doc.undo_stack.setClean()
    win.doc._results_dirty = False
    win.close()
    if not ok:
        print(f"mlp-studio: error: could not write {args.screenshot}", file=sys.stderr)
        return 1
    return 0
