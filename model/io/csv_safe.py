"""CSV cells a spreadsheet will not execute.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(…)``,
``+cmd|…``, ``@SUM(…)``): text cells like that get a leading single quote, as
the OWASP "CSV injection" advice says.  Numbers are left alone — a numeric cell
such as ``-0.5`` or ``-1e-3`` stays a number — so every file the app writes
still reads back with the same values.
"""

from __future__ import annotations

import csv

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(cell):
    """``cell`` unchanged unless it is text that a spreadsheet would run as a formula."""
    if not isinstance(cell, str) or not cell.startswith(TRIGGERS):
        return cell
    if cell[0] in "+-" and cell == cell.strip() and "_" not in cell:
        try:
            float(cell)  # a plain signed number ("-0.5", "+3", "-1e-3") stays a number
            return cell
        except ValueError:
            pass
    return "'" + cell


class SafeWriter:
    """``csv.writer`` whose text cells pass :func:`safe_cell` (same writerow/writerows)."""

    def __init__(self, f, **fmt):
        fmt.setdefault("lineterminator", "\n")
        self._w = csv.writer(f, **fmt)

    def writerow(self, row):
        return self._w.writerow([safe_cell(c) for c in row])

    def writerows(self, rows):
        for r in rows:
            self.writerow(r)
