"""Reading report files back: PDF words with their positions, and the XLSX formulas.

The PDF is read with poppler's ``pdftotext -bbox`` (every word with its box, in points, in
the order the PDF draws them: WeasyPrint draws a table cell by cell, so the words of one cell
come together). The XLSX formulas the report writes are evaluated by a small evaluator of
exactly the grammar it uses (cell references, ``SUM`` over a range, ``IF``, ``ROUND``, the
four operations and ``=``), so that the check needs no spreadsheet program; when LibreOffice
is installed, the workbook is also recalculated by it.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

MM = 72 / 25.4  # points per millimetre

_PAGE = re.compile(r'<page width="([0-9.]+)" height="([0-9.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of a PDF with its size and words (boxes in points from the top left)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for width, height, body in _PAGE.findall(out):
        words = [
            Word(html.unescape(text), float(a), float(b), float(c), float(d))
            for a, b, c, d, text in _WORD.findall(body)
        ]
        pages.append(Page(float(width), float(height), words))
    return pages


def lines_of(page: Page, label: str) -> int | None:
    """On how many lines ``label`` is printed on ``page`` (its words drawn together), or
    None when the page does not hold it."""
    wanted = label.split()
    texts = [word.text for word in page.words]
    for start in range(len(texts) - len(wanted) + 1):
        if texts[start : start + len(wanted)] == wanted:
            tops = {round(word.y0) for word in page.words[start : start + len(wanted)]}
            return len(tops)
    return None


# --------------------------------------------------------------------------- formulas

_TOKEN = re.compile(r'\s*(?:(\d+(?:\.\d+)?)|([A-Z]+[0-9]+)|([A-Z]+)\(|(""|"[^"]*")|(.))')


def excel_round(value: float, places: int) -> float:
    """Excel's ROUND: half away from zero."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, ROUND_HALF_UP))


class FormulaEvaluator:
    """Evaluates the report's formulas; ``cell(ref)`` gives a referenced cell's value."""

    def __init__(self, cell: Callable[[str], Any]) -> None:
        self.cell = cell

    def evaluate(self, formula: str) -> Any:
        self.tokens = [t for t in _TOKEN.findall(formula.lstrip("=")) if any(t)]
        self.pos = 0
        value = self._comparison()
        assert self.pos == len(self.tokens), f"unparsed rest of {formula!r}"
        return value

    def _peek(self) -> tuple[str, ...] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, symbol: str) -> None:
        token = self._peek()
        assert token is not None and token[4] == symbol, f"expected {symbol!r}"
        self.pos += 1

    def _comparison(self) -> Any:
        left = self._sum()
        token = self._peek()
        if token is not None and token[4] == "=":
            self.pos += 1
            return left == self._sum()
        return left

    def _sum(self) -> Any:
        value = self._product()
        while (token := self._peek()) is not None and token[4] and token[4] in "+-":
            self.pos += 1
            right = self._product()
            value = value + right if token[4] == "+" else value - right
        return value

    def _product(self) -> Any:
        value = self._atom()
        while (token := self._peek()) is not None and token[4] and token[4] in "*/":
            self.pos += 1
            right = self._atom()
            value = value * right if token[4] == "*" else value / right
        return value

    def _atom(self) -> Any:
        token = self._peek()
        assert token is not None, "formula ends early"
        number, ref, function, string, symbol = token
        self.pos += 1
        if number:
            return float(number)
        if ref:
            return self._value(ref)
        if string:
            return string[1:-1]
        if symbol == "(":
            value = self._comparison()
            self._take(")")
            return value
        if function == "SUM":
            first = self._peek()
            self.pos += 1
            self._take(":")
            last = self._peek()
            self.pos += 1
            self._take(")")
            assert first is not None and last is not None
            return sum(self._value(ref) or 0 for ref in _cell_range(first[1], last[1]))
        if function == "ROUND":
            value = self._comparison()
            self._take(",")
            places = int(self._comparison())
            self._take(")")
            return excel_round(float(value), places)
        if function == "IF":
            condition = self._comparison()
            self._take(",")
            when_true = self._branch(evaluate=bool(condition))
            self._take(",")
            when_false = self._branch(evaluate=not condition)
            self._take(")")
            return when_true if condition else when_false
        raise AssertionError(f"unexpected token {token!r}")

    def _branch(self, evaluate: bool) -> Any:
        if evaluate:
            return self._comparison()
        # Skip the branch Excel does not evaluate (it may divide by zero).
        depth = 0
        while (token := self._peek()) is not None:
            if token[4] in (",", ")") and depth == 0:
                return None
            if token[2] or token[4] == "(":
                depth += 1
            elif token[4] == ")":
                depth -= 1
            self.pos += 1
        return None

    def _value(self, ref: str) -> Any:
        value = self.cell(ref)
        return 0 if value is None else value


def _cell_range(first: str, last: str) -> list[str]:
    column, start = re.fullmatch(r"([A-Z]+)([0-9]+)", first).groups()  # type: ignore[union-attr]
    column2, end = re.fullmatch(r"([A-Z]+)([0-9]+)", last).groups()  # type: ignore[union-attr]
    assert column == column2, "the report sums one column at a time"
    return [f"{column}{row}" for row in range(int(start), int(end) + 1)]


def sheet_evaluator(sheet: Any) -> FormulaEvaluator:
    """An evaluator over an openpyxl sheet read with formulas (formula cells recomputed)."""

    def cell(ref: str) -> Any:
        value = sheet[ref].value
        if isinstance(value, str) and value.startswith("="):
            return FormulaEvaluator(cell).evaluate(value)  # its own parser state
        return value

    return FormulaEvaluator(cell)


def libreoffice() -> str | None:
    """The LibreOffice program when installed (it is not a dependency of the tests)."""
    return shutil.which("soffice") or shutil.which("libreoffice")
