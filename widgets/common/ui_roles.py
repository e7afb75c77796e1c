"""The colours of widget text, style sheets and rich text, named by role.

A widget says *what* a colour is — a hint, an error, a pale "right answer"
fill — never which hex it is: style sheets and rich text are written with
``@role`` tokens (``"color: @hint;"``, ``"<span style='color:@error'>"``) and
:func:`resolve` gives each token its colour in a theme. The table below is the
whole of it: every text role reads at WCAG's 4.5:1 on every background it is
drawn on, in every theme (tests/gui/test_theme_widgets.py computes it).

``@#rrggbb`` is a marker or data colour used as text (a racer's name in its
line's colour), moved towards the theme's text colour until it reads at 4.5:1
on the window and on the plots. :func:`swatch` writes a legend glyph in a data or marker
colour; it is the one place a colour outside the table may appear in rich text.

Pure string work, no Qt: the widgets that hold the templates and re-resolve them
on a theme change are in :mod:`widgets.common.themed_widgets`.
"""

from __future__ import annotations

import re
from dataclasses import fields

from widgets.common.contrast import contrast_ratio, readable

__all__ = ["UI_ROLES", "table", "TEXT_ROLES", "FILLS", "BADGES", "resolve", "role_colour", "swatch", "SWATCH"]

# role: (light, dark, high contrast) -- colours beyond the theme's own (window, base,
# button, alt_base, text, disabled, highlight, ink, muted, card...; see :func:`table`)
_ROLES = {
    "badge_dead": ("#5f6368", "#b0b4ba", "#d0d0d0"),  # canvas health badges: the discs' fills
    "badge_saturated": ("#a85400", "#f5a623", "#ffd400"),
    "badge_vanishing": ("#1f67a8", "#6cb4ee", "#8fd3ff"),
    "badge_exploding": ("#c62828", "#ff7b72", "#ff7a7a"),
    "badge_glyph": ("#ffffff", "#1e1f22", "#000000"),  # the glyph on a badge
    "input_column": ("#1f4fa8", "#8ab4ff", "#8fd3ff"),  # the CSV dialog's column roles
    "target_column": ("#a33a12", "#ffa270", "#ffb27a"),
    "hint": ("#4b5262", "#b4b8c0", "#d0d0d0"),  # secondary text: notes, captions, descriptions
    "error": ("#b3261e", "#ff8a80", "#ff7a7a"),
    "good": ("#2d7831", "#6fcf7f", "#7dff8a"),
    "warn": ("#8a4b00", "#f0a848", "#ffd400"),
    "accent": ("#2d67cc", "#2d67cc", "#ffd400"),  # a checked chip's fill
    "accent_text": ("#ffffff", "#ffffff", "#000000"),
    "outline": ("#8a9099", "#8a9099", "#ffffff"),  # chip and field borders (graphics: 3:1)
    "error_fill": ("#fde7e4", "#45292b", "#000000"),  # pale fills behind text, their borders
    "error_border": ("#d62728", "#e06c62", "#ff7a7a"),
    "good_fill": ("#e3f4e1", "#243d2a", "#000000"),
    "good_border": ("#6fae66", "#5fae6a", "#7dff8a"),
    "warn_fill": ("#fff7e0", "#3d3420", "#000000"),
    "warn_border": ("#d8b24a", "#c99a3c", "#ffd400"),
    "mark_fill": ("#fff3c4", "#4b4942", "#333127"),  # a table's highlighted row
}
UI_ROLES: dict[str, dict[str, str]] = {
    key: {role: colours[i] for role, colours in _ROLES.items()}
    for i, key in enumerate(("light", "dark", "high-contrast"))
}
_THEME_ROLES = ("ink", "muted", "alarm", "card", "card_border")  # Theme properties, beside its fields
TEXT_ROLES = ("text", "hint", "disabled", "error", "good", "warn", "input_column", "target_column")
FILLS = (
    "error_fill",
    "good_fill",
    "warn_fill",
    "mark_fill",
)  # text (text, error, good, warn) sits on these too
BADGES = ("badge_dead", "badge_saturated", "badge_vanishing", "badge_exploding")  # under badge_glyph

_TOKEN = re.compile(r"@(#[0-9a-fA-F]{6}\b|[a-z_]+\b)")
SWATCH = "■━●╍▬"  # glyphs a legend draws in a line's or a class's colour


def role_colour(role: str, t) -> str:
    """The hex colour of ``role`` in theme ``t`` (a :class:`Theme`)."""
    if role.startswith("#"):  # a marker colour, moved to read on the window and the plots
        worst = min((t.window, t.plot_background), key=lambda b: contrast_ratio(role, b))
        return readable(role, worst, t.text if contrast_ratio(t.text, worst) >= 4.5 else t.ink)
    roles = table(t)
    if role not in roles:
        raise ValueError(f"unknown colour role @{role}; roles: {', '.join(roles)}")
    return roles[role]


_TABLES: dict = {}


def table(t) -> dict[str, str]:
    """Every role's colour in theme ``t``: the theme's own colours and :data:`UI_ROLES`."""
    if t.key not in _TABLES:
        own = {f.name: getattr(t, f.name) for f in fields(t) if isinstance(getattr(t, f.name), str)}
        own.pop("key"), own.pop("title")
        _TABLES[t.key] = {**own, **{r: getattr(t, r) for r in _THEME_ROLES}, **UI_ROLES[t.key]}
    return _TABLES[t.key]


def resolve(template: str, t) -> str:
    """``template`` with every ``@role`` token replaced by its colour in theme ``t``."""
    return _TOKEN.sub(lambda m: role_colour(m.group(1), t), template)


def swatch(colour: str, glyph: str = "■") -> str:
    """A legend glyph in ``colour`` (a data colour, or a ``@#hex`` marker token)."""
    assert glyph and all(g in SWATCH for g in glyph), glyph
    return f"<span style='color:{colour}'>{glyph}</span>"
