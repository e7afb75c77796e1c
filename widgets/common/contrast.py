"""WCAG contrast: how well a colour reads on another, and the nearest colour that does.

Pure colour arithmetic on hex strings (no Qt), shared by the themes, the
themed plot items and the style-sheet colours of labels.
"""

from __future__ import annotations

import numpy as np

__all__ = ["contrast_ratio", "mix", "readable", "TEXT_CONTRAST"]

TEXT_CONTRAST = 4.5  # WCAG 2 AA for normal text
_NAMED = {"white": "#ffffff", "black": "#000000"}


def _rgb(colour) -> np.ndarray:
    if isinstance(colour, str):
        h = _NAMED.get(colour.lower(), colour).lstrip("#")
        if len(h) == 3:
            h = "".join(ch * 2 for ch in h)
        return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], float) / 255.0
    return np.asarray(colour, float)[:3] / 255.0


def _luminance(colour) -> float:
    c = _rgb(colour)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(np.dot([0.2126, 0.7152, 0.0722], lin))


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio (1..21) between two colours (hex or 0–255 RGB)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, amount: float) -> str:
    """Hex colour ``a`` moved ``amount`` (0..1) of the way to ``b``."""
    ca, cb = _rgb(a), _rgb(b)
    c = np.round((ca + (cb - ca) * amount) * 255).astype(int)
    return "#" + "".join(f"{v:02x}" for v in c)


def readable(colour: str, background: str, towards: str, ratio: float = TEXT_CONTRAST) -> str:
    """``colour`` moved just far enough towards ``towards`` (an ink that reads on
    ``background``) to reach ``ratio`` against ``background``; unchanged if it does."""
    for k in range(21):
        c = mix(colour, towards, k / 20)
        if contrast_ratio(c, background) >= ratio:
            return c
    return towards
