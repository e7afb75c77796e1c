"""The Teach menu: worksheets and challenges (issue 15's file-producing instruments)."""

from __future__ import annotations

from PySide6.QtGui import QAction

from model.io.project import atomic_write_text


def export_worksheet(win, blank: bool, path: str | None = None) -> str | None:
    """The step-through's pattern(s) (else the probe sample) as a worksheet file."""
    doc, stepper = win.doc, win.teaching.stepper
    n = len(doc.data.train)
    rows = list(stepper.walk.indices) if stepper.active else [min(doc.probe_index, n - 1)]
    if path is None:
        path = win.dialogs.ask_save_path(
            "Export blank worksheet" if blank else "Export worksheet (answer key)",
            "Markdown with LaTeX maths (*.md);;JSON (*.json)",
            f"{doc.name}-worksheet{'-blank' if blank else ''}.md",
        )
        if not path:
            return None
    fmt = "json" if str(path).lower().endswith(".json") else "md"
    try:
        from model.teaching.worksheet import worksheet_data, worksheet_text  # first use: a faster start

        data = worksheet_data(doc.net, doc.data.X_train, doc.data.train.T, rows, doc.settings.lr)
        atomic_write_text(path, worksheet_text(data, fmt, blank))
    except (ValueError, OSError) as e:
        win.dialogs.show_error("Could not export the worksheet", str(e))
        return None
    what = f"pattern μ = {rows[0] + 1}" if len(rows) == 1 else f"a batch of {len(rows)} patterns"
    win.statusBar().showMessage(f"Worksheet of {what} written to {path}", 8000)
    return str(path)


def build_instrument_menu(win) -> dict[str, QAction]:
    menu = win.menus.teach
    acts = {}

    def add(key, text, tip, slot):
        a = QAction(text, win)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        a.triggered.connect(lambda _=False: slot())
        menu.addAction(a)
        acts[key] = a
        return a

    add(
        "worksheet",
        "Export &worksheet (answer key)…",
        "The step-through's update in the lecture's notation, every value filled in (Markdown + LaTeX, or JSON)",
        lambda: export_worksheet(win, blank=False),
    )
    add(
        "worksheet_blank",
        "Export &blank worksheet…",
        "The same worksheet with the values to compute left blank",
        lambda: export_worksheet(win, blank=True),
    )
    menu.addSeparator()
    ops = win.challenge
    add(
        "challenge_make",
        "&Make challenge from this project…",
        "Lock controls, set a goal and a hint",
        ops.author,
    )
    add(
        "challenge_remove",
        "&Remove challenge",
        "Turn this project back into a normal one",
        lambda: ops.set_challenge(None),
    )
    add("challenge_check", "&Check challenge goal", "Measure the network against the goal", ops.check)
    add(
        "challenge_result",
        "Write challenge &result…",
        "The hand-in file: settings, figures, project hash",
        ops.write_result,
    )
    return acts
