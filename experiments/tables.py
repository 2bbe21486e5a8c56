"""Plain-text tables for the terminal, aligned even when cells hold Chinese characters.

Wide (CJK) characters take two terminal columns, so widths are measured in columns, not in
characters. A row may end early: its last cell then runs on unaligned (used for notes such
as "not modelled: …" that would stretch a column for every other row).
"""

from __future__ import annotations

import math
import unicodedata

#: How values of each unit are printed: divisor, suffix, decimals.
UNIT_FORMAT = {
    "yuan": (1e8, " 亿", 1),
    "share": (0.01, " %", 1),
    "count": (1, "", 0),
    "parcels": (1e4, " 万", 0),
    "yuan per adopter": (1e4, " 万", 1),
}


def format_value(value: float | None, unit: str) -> str:
    """A value in its unit's customary form (亿 yuan, %, 万 parcels); ``–`` if missing."""
    if value is None or math.isnan(value):
        return "–"
    scale, suffix, digits = UNIT_FORMAT[unit]
    return f"{value / scale:,.{digits}f}{suffix}"


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (wide and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * max(0, width - display_width(text))
    return text + gap if align == "<" else gap + text


def render(rows: list[list[str]], align: str) -> list[str]:
    """Lines of a table; ``align`` has one character per column, ``<`` left or ``>`` right.

    Column widths come from full rows only; a short row's last cell is not padded.
    """
    columns = len(align)
    full = [row for row in rows if len(row) == columns]
    widths = [max((display_width(row[i]) for row in full), default=0) for i in range(columns)]
    lines = []
    for row in rows:
        if len(row) < columns:
            head = [_pad(c, w, a) for c, w, a in zip(row[:-1], widths, align, strict=False)]
            lines.append("  ".join([*head, row[-1]]))
        else:
            cells = [_pad(c, w, a) for c, w, a in zip(row, widths, align, strict=True)]
            lines.append("  ".join(cells).rstrip())
    return lines
