"""Widget colours follow View ▸ Theme: no hard-coded colour in any style sheet or
rich text of the main window and its dialogs, text roles (disabled text too) at
WCAG's 4.5:1 in each theme, a colour set after a switch in that theme's colours
and in the next one's, and the canvas chips, health badges and the CSV dialog's
column roles drawn in the theme's colours (rendered pixels)."""

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from tests.gui.qt_helpers import pixels
from widgets.common import theme
from widgets.common.contrast import contrast_ratio
from widgets.common.ui_roles import _TOKEN, BADGES, FILLS, SWATCH, TEXT_ROLES, resolve, table

THEMES = ["light", "dark", "high-contrast"]
PENGUINS = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "penguins.csv"
_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)"
    r"|(?:color|background|border[a-z-]*)\s*:[^;'\"}]*?\b(?:white|black|red|green|blue|gr[ae]y|yellow|orange)\b"
)
_SWATCH = re.compile(r"<span style=['\"]color:\s*[^'\"]+['\"]>[" + SWATCH + r"\s]+</span>")


def _colours(text: str) -> list[str]:
    return [m.group(0) for m in _COLOUR.finditer(_SWATCH.sub("", text or ""))]


def _offences(w: QWidget, t) -> list[str]:
    """What in ``w``'s style sheet or (rich) label text is a colour that isn't theme ``t``'s."""
    out = []
    kinds = [("Sheet", w.styleSheet())]
    if isinstance(w, QLabel):
        kinds.append(("Text", w.text()))
    for kind, shown in kinds:
        name = f"{type(w).__name__}({w.objectName() or (w.text()[:30] if isinstance(w, QLabel) else '')})"
        if re.search(r"@(#|[a-z_]+\b)", _SWATCH.sub("", shown or "")) and kind == "Sheet":
            out.append(f"{name}: unresolved colour role in {shown!r}")
        if not _colours(shown):
            continue
        template = w.property(f"mlp{kind}Template")
        if template is None:
            out.append(f"{name}: hard-coded colour {_colours(shown)} in {kind.lower()} {shown[:80]!r}")
        elif resolve(template, t) != shown:
            out.append(f"{name}: {kind.lower()} not in the {t.key} theme's colours: {shown[:80]!r}")
        elif _colours(_TOKEN.sub("", template)):
            out.append(f"{name}: its template hard-codes {_colours(_TOKEN.sub('', template))}")
    return out


def _cell_offences(table, t) -> list[str]:
    """Table cells whose own text or background colour isn't a role resolved in theme ``t``
    (the confusion matrix's count-scaled fills are data, like a plot's colours)."""
    from widgets.common.themed_widgets import _ITEM_FILL, _ITEM_INK
    from widgets.common.ui_roles import role_colour

    if type(table).__name__ == "ConfusionTable" or type(table.parent()).__name__ == "ConfusionTable":
        return []
    out = []
    for r in range(min(table.rowCount(), 60)):
        for c in range(min(table.columnCount(), 12)):
            item = table.item(r, c)
            if item is None:
                continue
            for qt_role, mine, what in (
                (Qt.ItemDataRole.ForegroundRole, _ITEM_INK, "text"),
                (Qt.ItemDataRole.BackgroundRole, _ITEM_FILL, "fill"),
            ):
                if item.data(qt_role) is None:
                    continue
                got = item.data(qt_role).color().name()
                role = item.data(mine)
                if role is None or got != role_colour(role, t):
                    out.append(
                        f"{type(table).__name__} cell {r},{c} {item.text()!r}: {what} {got} (role {role})"
                    )
    return out


def _fill_tables(win, qtbot):
    """The tables that colour their cells: step-through, gradient check, η variants, race state."""
    from model.analysis import sweeps
    from model.nn.gradcheck import check_network

    win.acts["stepthrough"].trigger()
    win.teaching.stepper.next()
    win.show_panel("gradcheck")
    d = win.doc
    win.plots.panels["gradcheck"].show_result(
        check_network(d.net.copy(), d.data.X_train, d.data.train.T, max_per_layer=2)
    )
    lr = win.plots.panels["lr"]
    p = lr.problem
    lr.variants.show_result(sweeps.gd_variants(p.net, p.X, p.T, p.settings, 3))
    win.plots.panels["optimizers"].state_toggle.setChecked(True)
    qtbot.wait(20)


def _open_everything(win, qtbot):
    """Every panel and dock page built, and the dialogs a lesson opens."""
    from model.io.project import load_project
    from widgets.dialogs.challenge_dialog import ChallengeDialog
    from widgets.dialogs.csv_import_dialog import CsvImportDialog
    from widgets.dialogs.feature_dialog import FeatureDialog
    from widgets.dialogs.getting_started import GettingStarted
    from widgets.dialogs.shortcuts_dialog import ShortcutsDialog

    for key in ("lr", "optimizers", "gradients", "chain-rule", "predict", "hidden", "loss"):
        win.show_panel(key)
        qtbot.wait(10)
    dialogs = [
        CsvImportDialog(str(PENGUINS), parent=win),
        FeatureDialog(["x1", "x2"], None, win),
        ChallengeDialog(load_project("resources/examples/xor_train.json"), None, win),
        GettingStarted(win),
        ShortcutsDialog(win.actions(), win),
    ]
    for d in dialogs:
        qtbot.addWidget(d)
        d.show()
    assert dialogs[0].wait_loaded()
    _fill_tables(win, qtbot)
    return dialogs


@pytest.mark.parametrize("key", THEMES)
def test_no_hard_coded_colour_in_any_widget_or_dialog(win, qtbot, key):
    """Style sheets, rich text and table cells everywhere (window, docks, every panel,
    the CSV, features, challenge, lesson and shortcut dialogs): a colour is a role
    resolved in the current theme, or a legend swatch in a data colour."""
    dialogs = _open_everything(win, qtbot)
    win.classroom.set_theme(key, remember=False)
    qtbot.wait(10)
    t = theme.THEMES[key]
    widgets = [win, *win.findChildren(QWidget)]
    for d in dialogs:
        widgets += [d, *d.findChildren(QWidget)]
    coloured = [
        w for w in widgets if _colours(w.styleSheet()) or (isinstance(w, QLabel) and _colours(w.text()))
    ]
    assert len(coloured) > 15, "the walk sees the coloured widgets (chips, notes, errors, legends)"
    from PySide6.QtWidgets import QTableWidget

    tables = [w for w in widgets if isinstance(w, QTableWidget)]
    cells = sum(
        1
        for tb in tables
        for r in range(tb.rowCount())
        for c in range(tb.columnCount())
        if tb.item(r, c) is not None and tb.item(r, c).data(Qt.ItemDataRole.ForegroundRole) is not None
    )
    assert cells >= 4, "the walk sees coloured table cells (η variants, race state, highlighted row)"
    wrong = sorted(
        {o for w in widgets for o in _offences(w, t)} | {o for tb in tables for o in _cell_offences(tb, t)}
    )
    for d in dialogs:
        d.close()
    win.classroom.set_theme("light", remember=False)
    assert not wrong, "\n".join(wrong)


# ------------------------------------------------------------------ contrast
@pytest.mark.parametrize("key", THEMES)
def test_text_roles_read_at_4_5_in_each_theme(key):
    """From the applied palette: enabled and disabled text on window, base, button and
    alternate base; from the role table: every text role there too, text on the pale
    fills, a checked chip's text, the badges' glyphs. Disabled stays unlike enabled."""
    app = QApplication.instance()
    theme.apply_theme(app, key)
    try:
        pal = app.palette()
        G, R = QPalette.ColorGroup, QPalette.ColorRole
        low = []
        for group in (G.Active, G.Disabled):
            for ink, backs in (
                (R.WindowText, (R.Window, R.Button)),
                (R.Text, (R.Base, R.AlternateBase, R.Window)),
                (R.ButtonText, (R.Button, R.Window)),
                (R.PlaceholderText, (R.Base,)),
                (R.Link, (R.Window, R.Base)),
            ):
                for back in backs:
                    r = contrast_ratio(pal.color(group, ink).name(), pal.color(group, back).name())
                    if r < 4.5:
                        low.append((group.name, ink.name, back.name, round(r, 2)))
        roles = table(theme.THEMES[key])
        pairs = [(f, b) for f in TEXT_ROLES for b in ("window", "base", "button", "alt_base")]
        pairs += [("text", b) for b in FILLS] + [("ink", "mark_fill")]
        pairs += [(f, f"{f}_fill") for f in ("error", "good", "warn")]
        pairs += [("accent_text", "accent"), ("highlight_text", "highlight")]
        pairs += [("badge_glyph", b) for b in BADGES]
        for f, b in pairs:
            r = contrast_ratio(roles[f], roles[b])
            if r < 4.5:
                low.append((f, b, round(r, 2)))
        for b in BADGES:  # the disc itself, a graphic, on the canvas: 3:1
            if contrast_ratio(roles[b], roles["canvas_background"]) < 3.0:
                low.append((b, "canvas", round(contrast_ratio(roles[b], roles["canvas_background"]), 2)))
        disabled = pal.color(G.Disabled, R.WindowText).name()
        assert disabled == roles["disabled"] and disabled != pal.color(G.Active, R.WindowText).name()
        assert contrast_ratio(disabled, roles["text"]) >= 1.5, "disabled text looks unlike enabled text"
        assert not low, low
    finally:
        theme.apply_theme(app, "light")


# ------------------------------------------------------- set after a switch
def _ink_pixels(img, back, tol=60):
    """RGB of the pixels of ``img`` (H, W, 3) far from the background colour ``back``."""
    px = img.reshape(-1, 3).astype(int)
    b = np.array([int(back[i : i + 2], 16) for i in (1, 3, 5)])
    return px[np.abs(px - b).sum(1) > tol]


def _strongest(img, back, frac=0.25):
    """The ``frac`` of ``img``'s pixels farthest from ``back``: a text's core, not its antialiasing."""
    px = img.reshape(-1, 3).astype(int)
    b = np.array([int(back[i : i + 2], 16) for i in (1, 3, 5)])
    d = np.abs(px - b).sum(1)
    return px[d >= np.quantile(d, 1 - frac)] if d.max() > 60 else px[:0]


def _near(px, colour, tol=40) -> float:
    c = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float(np.mean(np.abs(px - c).sum(1) < tol)) if len(px) else 0.0


def test_a_colour_set_after_a_switch_follows_this_and_the_next_switch(win, qtbot):
    """The prediction panel's bad-field fill and the chain rule's error text are set
    by the panels' own code after the theme switched: they are in the new theme's
    colours at once (not the light one's until the next switch), and in the next
    theme's after it."""
    win.show_panel("predict")
    win.show_panel("chain-rule")
    predict, chain = win.plots.panels["predict"], win.plots.panels["chain-rule"]
    win.classroom.set_theme("dark", remember=False)
    field = next(iter(predict.fields.values()))
    field.setText("not a number")
    field.editingFinished.emit()
    chain.set_expression("sin((")  # an error the panel shows in its error label
    qtbot.wait(20)
    assert chain.error.isVisible()
    for key in ("dark", "high-contrast"):
        if key != "dark":
            win.classroom.set_theme(key, remember=False)
            qtbot.wait(20)
        roles = table(theme.THEMES[key])
        assert roles["error_fill"] in field.styleSheet(), (key, field.styleSheet())
        fill = pixels(field.grab().toImage())[field.height() // 2, 4 : field.width() // 2]
        assert _near(fill.reshape(-1, 3), roles["error_fill"], 12) > 0.5, (key, fill[:3])
        ink = _strongest(pixels(chain.error.grab().toImage()), roles["window"], 0.03)
        assert len(ink) > 20 and _near(ink, roles["error"], 60) > 0.5, (key, ink[:5])
    win.classroom.set_theme("light", remember=False)


# ------------------------------------------------- chips, badges, csv roles
@pytest.fixture(params=["dark", "high-contrast"])
def dark(request, win, qtbot):
    win.classroom.set_theme(request.param, remember=False)
    qtbot.wait(20)
    yield win, table(theme.THEMES[request.param])
    win.classroom.set_theme("light", remember=False)


def test_feature_chips_drawn_in_the_theme(dark, qtbot):
    """A checked chip is filled with the theme's accent, its text in accent_text; an
    unchecked one shows the canvas through it, its text in the theme's text colour —
    also for chips made after the switch (a new data set's)."""
    win, roles = dark
    win.resize(1366, 768)  # the chips inside the canvas
    strip = win.canvas.findChild(QWidget, "feature_strip")
    strip.set_features(["x1", "x2"], ["x1"])  # chips made again after the switch
    strip.set_features(["a", "b"], ["a", "a*b"])
    qtbot.wait(20)
    for name, on in (("a", True), ("b", False)):
        chip = strip.chips[name]
        at = chip.mapTo(win.canvas, chip.rect().topLeft())  # as drawn on the canvas
        img = pixels(win.canvas.grab(chip.rect().translated(at)).toImage())
        h, w = img.shape[:2]
        inside = img[h // 2 - 2 : h // 2 + 3, 4 : w - 4].reshape(-1, 3)
        back = roles["accent"] if on else roles["canvas_background"]
        assert _near(inside, back, 24) > 0.4, (name, back, inside[:4])
        core = _strongest(img[3 : h - 3, 5 : w - 5], back, 0.02)  # the glyph's core pixels
        assert len(core) >= 2 and _near(core, roles["accent_text" if on else "text"], 60) > 0.5, (name, core)


def test_health_badges_drawn_in_the_theme(dark, qtbot):
    """The vanishing-gradient badges of a deep sigmoid net: disc in the theme's
    badge colour, ring in its canvas colour (no white ring on a dark canvas)."""
    win, roles = dark
    assert win.files.open_path("resources/examples/vanishing_gradients.json", confirm=False)
    qtbot.waitUntil(lambda: bool(win.instruments.badges.items), timeout=20000)
    win.canvas.viewport().update()
    qtbot.wait(30)
    img = pixels(win.canvas.viewport().grab().toImage()).astype(int)
    for item in win.instruments.badges.items[:3]:
        c = win.canvas.mapFromScene(item.scenePos())
        disc = img[c.y() - 3 : c.y() + 4, c.x() - 6 : c.x() - 3].reshape(-1, 3)
        assert _near(disc, roles[f"badge_{item.kind}"], 30) > 0.5, (item.kind, disc[:3])
        yy, xx = np.mgrid[: img.shape[0], : img.shape[1]]
        ring = img[np.abs(np.hypot(xx - c.x(), yy - c.y()) - 8.6) < 0.5]
        assert _near(ring, "#ffffff", 30) < 0.2, "no white ring on a dark canvas"


def test_csv_dialog_column_roles_in_the_theme(dark, qtbot):
    """Input, target and ignored columns' names in the theme's role colours (model
    and rendered list); missing cells in its error colour."""
    from widgets.dialogs.csv_import_dialog import CsvImportDialog

    win, roles = dark
    d = CsvImportDialog(str(PENGUINS), parent=win)
    qtbot.addWidget(d)
    d.show()
    assert d.wait_loaded()
    m = d.columns_model
    want = {"input": "input_column", "target": "target_column", "ignore": "disabled"}
    seen = set()
    for r in range(m.rowCount()):
        role = m.roles[r]
        got = m.data(m.index(r, 0), Qt.ItemDataRole.ForegroundRole).name()
        assert got == roles[want[role]], (m.names[r], role, got)
        seen.add(role)
    assert {"input", "target"} <= seen
    view = d.columns_view
    ink = _ink_pixels(pixels(view.viewport().grab().toImage()), roles["base"], 90)
    assert _near(ink, roles["input_column"], 60) > 0.05 and _near(ink, roles["target_column"], 60) > 0.005
    missing = [
        d.preview.item(i, j)
        for i in range(d.preview.rowCount())
        for j in range(d.preview.columnCount())
        if d.preview.item(i, j) is not None and d.preview.item(i, j).text() in ("", "NA")
    ]
    assert missing and {it.foreground().color().name() for it in missing} == {roles["error"]}
    d.close()


def test_canvas_notices_drawn_in_the_theme(dark, qtbot):
    """The level-of-detail notice on a big network is in the theme's warning colour
    (the light theme's brown on a dark canvas read at 2.3:1)."""
    win, roles = dark
    win.resize(1366, 768)
    cv = win.canvas
    rng = np.random.default_rng(0)
    cv.set_network(
        [64] * 10, ["tanh"] * 9, [rng.standard_normal((64, 64)) for _ in range(9)], [np.zeros(64)] * 9
    )
    assert cv.lod_notice()
    cv.viewport().update()
    qtbot.wait(30)
    img = pixels(cv.viewport().grab().toImage())
    h, w = img.shape[:2]
    corner = img[h - 30 : h - 6, w // 2 : w - 8]  # the notice, bottom right
    core = _strongest(corner, roles["canvas_background"], 0.02)
    assert len(core) >= 5 and _near(core, roles["warn"], 60) > 0.5, core[:5]


def test_canvas_titles_read_at_a_projector(dark, qtbot):
    """Layer titles and input names on the dark canvas at WCAG AAA (7:1), near white
    in high contrast (just 4.5:1 was a dim grey, 4.9:1 measured, on a projector)."""
    from widgets.canvas.node_item import Label
    from widgets.common.themed import CANVAS_TEXT

    win, roles = dark
    win.resize(1366, 768)
    cv = win.canvas
    cv.viewport().update()
    qtbot.wait(30)
    img = pixels(cv.viewport().grab().toImage())
    key = next(k for k, v in theme.THEMES.items() if table(v) is roles)
    labels = [i for i in cv.scene().items() if isinstance(i, Label) and i.isVisible()]
    assert len(labels) >= 3
    for item in labels[:6]:
        r = item.boundingRect()
        c = cv.mapFromScene(item.scenePos())
        x0, y0 = max(c.x() + int(r.left()), 0), max(c.y() + int(r.top()), 0)
        patch = img[y0 : y0 + int(r.height()), x0 : x0 + int(r.width())]
        grey = patch[np.ptp(patch.astype(int), axis=2) < 24]  # text, not the edges behind it
        core = _strongest(grey, roles["canvas_background"], 0.03)
        assert len(core) >= 3
        ratios = sorted(contrast_ratio("#%02x%02x%02x" % tuple(p), roles["canvas_background"]) for p in core)
        # antialiased glyphs: the core's median within 20 % of the target (old: 4.9:1)
        assert ratios[len(ratios) // 2] >= CANVAS_TEXT[key] * 0.8, (key, item.text, ratios[len(ratios) // 2])


def test_a_dialog_without_a_parent_follows_the_switch(win, qtbot):
    """A window open beside the main one (a dialog made without a parent) is restyled
    with it: its note and error labels take the new theme's roles."""
    from widgets.dialogs.csv_import_dialog import CsvImportDialog

    d = CsvImportDialog(str(PENGUINS))
    qtbot.addWidget(d)
    d.show()
    assert d.wait_loaded()
    try:
        for key in ("dark", "high-contrast"):
            win.classroom.set_theme(key, remember=False)
            roles = table(theme.THEMES[key])
            assert d.note_label.styleSheet() == f"color: {roles['hint']};", (key, d.note_label.styleSheet())
            assert d.error_label.styleSheet() == f"color: {roles['error']};"
    finally:
        d.close()
        win.classroom.set_theme("light", remember=False)
