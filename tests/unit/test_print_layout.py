"""Table layout on paper: names on two lines at most, numbers whole, portrait when it fits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.print_layout import (
    LANDSCAPE_WIDTH_MM,
    PT_PER_MM,
    Cell,
    fit_table,
    lines_at,
    natural_widths_mm,
    two_line_width,
    width_for_lines,
)
from inspect_app.services.report_charts import million_label, nice_ticks


def mono(text: str, size: float, bold: bool) -> float:
    """A monospaced stand-in for the font: every character half an em (bold a bit wider)."""
    return len(text) * size * (0.55 if bold else 0.5)


def test_two_line_width_is_the_best_split_between_words() -> None:
    # "aaaa bb cccc" at 10 pt: splits "aaaa | bb cccc" (35) or "aaaa bb | cccc" (35).
    assert two_line_width("aaaa bb cccc", 10, False, mono) == 35.0
    assert two_line_width("single", 10, False, mono) == 30.0
    assert two_line_width("", 10, False, mono) == 0.0


@given(st.lists(st.text(alphabet="abcđệ", min_size=1, max_size=12), min_size=1, max_size=12))
def test_a_name_fits_on_two_lines_at_its_two_line_width(words: list[str]) -> None:
    text = " ".join(words)
    width = two_line_width(text, 8, False, mono)
    assert lines_at(text, width, 8, False, mono) <= 2
    if len(words) > 2:  # any narrower and it takes three lines
        assert lines_at(text, width - 1, 8, False, mono) >= 2


def test_width_for_lines_finds_the_narrowest_width_for_three_lines() -> None:
    header = "Kết thúc thanh tra trực tiếp"
    width = width_for_lines(header, 3, 8, True, mono)
    assert lines_at(header, width, 8, True, mono) <= 3
    assert lines_at(header, width - 1, 8, True, mono) > 3


def _table(columns: int, name: str, number: str) -> dict[str, object]:
    return {
        "numbers": [Cell("1"), Cell("12")],
        "names": [Cell("Tổng cộng", True), Cell(name)],
        "columns": [[Cell(number, True), Cell(number)] for _ in range(columns)],
        "headers": ["Tổng số"] * columns,
        "leading_headers": ("STT", "Đơn vị"),
        "measure": mono,
    }


def test_a_narrow_table_stays_portrait_and_fills_the_width() -> None:
    fit = fit_table(**_table(5, "Sở Xây dựng", "1.300,000"))  # type: ignore[arg-type]
    assert not fit.landscape and fit.fits and fit.font_size == 9.0
    assert 164.7 <= sum(fit.widths_mm) <= 165


def test_a_wide_table_goes_landscape_then_shrinks_its_font() -> None:
    long_name = "Phòng Tiếp công dân, xử lý đơn và giải quyết khiếu nại, tố cáo"
    fit = fit_table(**_table(15, long_name, "1.300,000"))  # type: ignore[arg-type]
    assert fit.landscape and fit.fits
    assert sum(fit.widths_mm) <= LANDSCAPE_WIDTH_MM + 0.1
    # The name column holds the name on two lines at the chosen size (with the cell padding).
    name_pt = fit.widths_mm[1] * PT_PER_MM
    assert lines_at(long_name, name_pt - 5.5, fit.font_size, False, mono) <= 2
    # Every figure column is at least as wide as its widest number.
    assert all(w * PT_PER_MM >= mono("1.300,000", fit.font_size, True) for w in fit.widths_mm[2:])

    wider = fit_table(**_table(15, long_name, "12.345.678,000"))  # type: ignore[arg-type]
    assert wider.landscape and wider.font_size < fit.font_size


def test_a_table_that_fits_nowhere_is_shrunk_and_says_so() -> None:
    fit = fit_table(**_table(60, "Sở", "123.456.789,000"))  # type: ignore[arg-type]
    assert fit.landscape and not fit.fits and fit.font_size == 6.0
    assert (
        LANDSCAPE_WIDTH_MM - 0.01 * len(fit.widths_mm) <= sum(fit.widths_mm) <= LANDSCAPE_WIDTH_MM
    )
    with pytest.raises(ValueError):
        fit_table(**{**_table(3, "Sở", "1"), "headers": ["a"]})  # type: ignore[arg-type]


def test_natural_widths_do_not_spread_the_page() -> None:
    table = _table(3, "Sở Y tế", "12")
    table.pop("measure")
    widths = natural_widths_mm(**table, size=11, measure=mono)  # type: ignore[arg-type]
    assert len(widths) == 5 and sum(widths) < 100


def test_chart_labels_group_thousands_with_dots() -> None:
    assert million_label(1_920_628_000) == "1.921"
    assert million_label(12_500_000) == "12,5"
    assert million_label(500_000) == "0,5"
    assert million_label(0) == "0"
    assert million_label(1_920_628_000, "en") == "1,921"
    assert nice_ticks(1921) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(90) == [0, 25, 50, 75, 100]
