"""How a report table is laid out on paper: column widths from the content, the font size,
and the page orientation.

The unit column is as narrow as it can be while every unit name stays on at most two lines;
each figure column is as wide as its widest number (numbers never wrap) or the longest word
of its header; the leftover width of the page is shared out so that headers wrap less. A
table is printed on a portrait page when it fits there at a readable size, else on a
landscape page; when it does not fit even so, the font is made smaller step by step.

Widths are computed from text widths measured with the printing font (``Measure``, given by
the caller: the rules here know nothing about fonts or files), in points; the result is in
millimetres for the style sheet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# (text, font size in pt, bold) -> width in pt
Measure = Callable[[str, float, bool], float]

PT_PER_MM = 72 / 25.4
# A4 minus the margins of Decree 30/2020/NĐ-CP used by the documents (left 30, right 15 mm).
PORTRAIT_WIDTH_MM = 210 - 30 - 15
LANDSCAPE_WIDTH_MM = 297 - 30 - 15
FONT_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
MIN_PORTRAIT_FONT = 8.0
CELL_PADDING_PT = 5.5  # 2 x 2.5 pt of padding and the borders
# Printed text can come out a little wider than the advance widths add up to (hinting,
# justification, rounding): keep this much in hand.
SAFETY = 1.04
MAX_NAME_LINES = 2
HEADER_LINES = 3  # headers of figure columns wrap on three lines when there is room


@dataclass(frozen=True)
class Cell:
    """A text of a body cell and whether it is printed bold (the total row is)."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class TableFit:
    """The layout chosen for one table."""

    landscape: bool
    font_size: float
    widths_mm: tuple[float, ...]  # number, unit name, then each figure column
    fits: bool  # False when even the smallest font could not keep names on two lines


def two_line_width(text: str, size: float, bold: bool, measure: Measure) -> float:
    """The narrowest width (pt) at which ``text`` wraps into at most two lines.

    Greedy wrapping fits in two lines exactly when some split between words does, so this
    is the best split: the smaller of the wider halves.
    """
    words = text.split()
    if not words:
        return 0.0
    best = measure(" ".join(words), size, bold)
    for k in range(1, len(words)):
        first = measure(" ".join(words[:k]), size, bold)
        second = measure(" ".join(words[k:]), size, bold)
        best = min(best, max(first, second))
    return best


def lines_at(text: str, width: float, size: float, bold: bool, measure: Measure) -> int:
    """How many lines greedy word wrapping makes of ``text`` in ``width`` pt."""
    lines, current = 0, ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate, size, bold) > width:
            lines, current = lines + 1, word
        else:
            current = candidate
    return lines + (1 if current else 0)


def width_for_lines(text: str, lines: int, size: float, bold: bool, measure: Measure) -> float:
    """The narrowest width (pt, to 0.5 pt) at which ``text`` wraps into at most ``lines``."""
    low = _longest_word(text, size, measure)
    high = measure(text, size, bold)
    if lines_at(text, low, size, bold, measure) <= lines:
        return low
    while high - low > 0.5:
        middle = (low + high) / 2
        if lines_at(text, middle, size, bold, measure) <= lines:
            high = middle
        else:
            low = middle
    return high


def _longest_word(text: str, size: float, measure: Measure) -> float:
    return max((measure(word, size, True) for word in text.split()), default=0.0)


def _needs(
    numbers: Sequence[Cell],
    names: Sequence[Cell],
    columns: Sequence[Sequence[Cell]],
    headers: Sequence[str],
    leading_headers: tuple[str, str],
    size: float,
    measure: Measure,
) -> list[float]:
    def pad(width: float) -> float:
        return width * SAFETY + CELL_PADDING_PT

    number_w = max(
        [_longest_word(leading_headers[0], size, measure)]
        + [measure(c.text, size, c.bold) for c in numbers]
    )
    name_w = max(
        [_longest_word(leading_headers[1], size, measure)]
        + [two_line_width(c.text, size, c.bold, measure) for c in names]
    )
    widths = [pad(number_w), pad(name_w)]
    for cells, header in zip(columns, headers, strict=True):
        content = max([measure(c.text, size, c.bold) for c in cells] or [0.0])
        widths.append(pad(max(content, _longest_word(header, size, measure))))
    return widths


def _spread(widths: list[float], comfortable: list[float], available: float) -> list[float]:
    """Share the leftover width out over the figure columns: first to the columns whose
    header would wrap on many lines (towards ``comfortable``), the rest equally."""
    slack = available - sum(widths)
    figures = len(widths) - 2
    if slack <= 0 or figures <= 0:
        return widths
    deficits = [max(c - w, 0.0) for w, c in zip(widths[2:], comfortable, strict=True)]
    wanted = sum(deficits)
    share = min(1.0, slack / wanted) if wanted else 0.0
    grown = [w + d * share for w, d in zip(widths[2:], deficits, strict=True)]
    rest = slack - sum(d * share for d in deficits)
    return widths[:2] + [w + rest / figures for w in grown]


def _comfortable(headers: Sequence[str], size: float, measure: Measure) -> list[float]:
    """Widths at which each figure column's header takes at most three lines."""
    return [
        width_for_lines(header, HEADER_LINES, size, True, measure) * SAFETY + CELL_PADDING_PT
        for header in headers
    ]


def fit_table(
    *,
    numbers: Sequence[Cell],
    names: Sequence[Cell],
    columns: Sequence[Sequence[Cell]],
    headers: Sequence[str],
    leading_headers: tuple[str, str],
    measure: Measure,
    portrait_mm: float = PORTRAIT_WIDTH_MM,
    landscape_mm: float = LANDSCAPE_WIDTH_MM,
    font_sizes: Sequence[float] = FONT_SIZES,
    min_portrait_font: float = MIN_PORTRAIT_FONT,
) -> TableFit:
    """The orientation, font size and column widths of one table.

    ``numbers`` and ``names`` are the texts of the two leading columns (row number, unit
    name), ``columns`` the texts of each figure column, ``headers`` the leaf header of each.
    Portrait is chosen when the table fits there at ``min_portrait_font`` or larger.
    """
    if len(columns) != len(headers):
        raise ValueError("One header per figure column.")
    attempts = [(False, size) for size in font_sizes if size >= min_portrait_font]
    attempts += [(True, size) for size in font_sizes]
    for landscape, size in attempts:
        available = (landscape_mm if landscape else portrait_mm) * PT_PER_MM
        widths = _needs(numbers, names, columns, headers, leading_headers, size, measure)
        if sum(widths) <= available:
            spread = _spread(widths, _comfortable(headers, size, measure), available)
            return TableFit(landscape, size, _in_mm(spread), True)
    # Nothing fits: the smallest font on a landscape page, every column shrunk alike.
    size = font_sizes[-1]
    widths = _needs(numbers, names, columns, headers, leading_headers, size, measure)
    scale = landscape_mm * PT_PER_MM / sum(widths)
    return TableFit(True, size, _in_mm([w * scale for w in widths]), False)


def natural_widths_mm(
    *,
    numbers: Sequence[Cell],
    names: Sequence[Cell],
    columns: Sequence[Sequence[Cell]],
    headers: Sequence[str],
    leading_headers: tuple[str, str],
    size: float,
    measure: Measure,
) -> tuple[float, ...]:
    """The narrowest widths of a table's columns at ``size`` (names on two lines at most)."""
    return _in_mm(_needs(numbers, names, columns, headers, leading_headers, size, measure))


def _in_mm(widths: Sequence[float]) -> tuple[float, ...]:
    # Rounded down to 0.01 mm: the columns never add up to more than the page holds.
    return tuple(math.floor(w / PT_PER_MM * 100) / 100 for w in widths)
