"""Table layout on paper at its edges: exact widths, bold text, and how the slack is shared."""

from __future__ import annotations

import pytest

from inspect_app.domain.print_layout import (
    CELL_PADDING_PT,
    PT_PER_MM,
    SAFETY,
    Cell,
    _comfortable,
    _needs,
    _spread,
    fit_table,
    lines_at,
    natural_widths_mm,
    two_line_width,
    width_for_lines,
)


def strict(text: str, size: float, bold: bool) -> float:
    """A monospaced stand-in for the font that tells bold from regular (bold is wider), and
    refuses anything but a real bool, as the font measure does."""
    assert type(bold) is bool, f"bold must be a bool, not {bold!r}"
    return len(text) * size * (0.6 if bold else 0.5)


def test_two_line_width_of_bold_text_and_of_the_first_split() -> None:
    # "aaaa | bb cc": the best split is after the first word (max(20, 25) = 25 at 10 pt).
    assert two_line_width("aaaa bb cc", 10, False, strict) == 25.0
    assert two_line_width("aaaa bb cc", 10, True, strict) == 30.0
    assert two_line_width("single", 10, True, strict) == 36.0


def test_lines_at_counts_nothing_for_no_text_and_measures_bold() -> None:
    assert lines_at("", 100, 10, False, strict) == 0
    assert lines_at("   ", 100, 10, True, strict) == 0
    # "aaaa bbbb" is 45 pt regular, 54 pt bold.
    assert lines_at("aaaa bbbb", 50, 10, False, strict) == 1
    assert lines_at("aaaa bbbb", 50, 10, True, strict) == 2


def test_width_for_lines_is_the_longest_bold_word_when_that_is_enough() -> None:
    # Each word on a line of its own makes exactly three lines: the longest word (bold,
    # 4 x 6 pt) is the answer, not a width found by halving.
    assert width_for_lines("aaaa bbbb cccc", 3, 10, False, strict) == 24.0
    assert width_for_lines("aaaa bbbb cccc", 3, 10, True, strict) == 24.0
    assert width_for_lines("", 3, 10, True, strict) == 0.0


@pytest.mark.parametrize(
    ("header", "lines"),
    [
        ("Kết thúc thanh tra trực tiếp", 2),
        ("Tổng số tiền vi phạm phải thu hồi", 2),
        ("Số đơn vị được thanh tra có vi phạm", 3),
    ],
)
def test_width_for_lines_is_within_half_a_point_of_the_narrowest(header: str, lines: int) -> None:
    width = width_for_lines(header, lines, 10, True, strict)
    assert lines_at(header, width, 10, True, strict) <= lines
    assert lines_at(header, width - 0.5, 10, True, strict) > lines


def test_natural_widths_from_the_leading_headers_bold_cells_and_empty_columns() -> None:
    widths = natural_widths_mm(
        numbers=[Cell("1")],
        names=[Cell("Tổng cộng", True)],
        columns=[[Cell("12.345", True), Cell("7")], []],
        headers=["Tổng", ""],
        leading_headers=("No.", "Name of unit"),
        size=10,
        measure=strict,
    )

    def padded(points: float) -> float:
        return int((points * SAFETY + CELL_PADDING_PT) / PT_PER_MM * 100) / 100

    assert widths == (
        padded(18.0),  # "No." in bold: 3 x 6 pt
        padded(24.0),  # "Tổng | cộng" bold on two lines, as wide as "Name" or "unit"
        padded(36.0),  # "12.345" bold: 6 x 6 pt
        padded(0.0),  # no cell and no header: the padding only
    )


def test_natural_widths_need_one_header_per_figure_column() -> None:
    with pytest.raises(ValueError):
        natural_widths_mm(
            numbers=[],
            names=[],
            columns=[[Cell("1")], [Cell("2")]],
            headers=["a"],
            leading_headers=("STT", "Đơn vị"),
            size=9,
            measure=strict,
        )


def test_spread_gives_the_slack_first_to_headers_that_wrap_then_equally() -> None:
    # Slack 50: the first figure column wants 20 more, the second nothing; the other 30 are
    # shared equally.
    assert _spread([10, 20, 30, 40], [50, 40], 150) == [10, 20, 65, 55]
    # Slack 20 for deficits of 30 and 10: each gets half of its deficit.
    assert _spread([10, 20, 30, 40], [60, 50], 120) == [10, 20, 45, 45]
    # One point of slack and no deficit: that point goes to the figure column.
    assert _spread([10, 20, 30], [30], 61) == [10, 20, 31]
    # No slack, or a table too wide: the widths stay.
    assert _spread([10, 20, 30], [100], 60) == [10, 20, 30]
    assert _spread([10, 20, 30], [100], 50) == [10, 20, 30]
    assert _spread([10, 20], [], 80) == [10, 20]


def test_comfortable_width_is_three_bold_lines_of_the_header_with_padding() -> None:
    assert _comfortable(["aaaa bbbb cccc", ""], 10, strict) == [
        24.0 * SAFETY + CELL_PADDING_PT,
        CELL_PADDING_PT,
    ]
    header = "Tổng số tiền vi phạm phải thu hồi"
    bold = width_for_lines(header, 3, 10, True, strict)
    assert bold > width_for_lines(header, 3, 10, False, strict)
    assert _comfortable([header], 10, strict) == [bold * SAFETY + CELL_PADDING_PT]


def _one_row_table(columns: int) -> dict[str, object]:
    return {
        "numbers": [Cell("1")],
        "names": [Cell("Sở Tài chính")],
        "columns": [[Cell("12345")] for _ in range(columns)],
        "headers": ["Tổng số"] * columns,
        "leading_headers": ("STT", "Đơn vị"),
        "measure": strict,
    }


def test_a_table_exactly_as_wide_as_the_page_fits_it() -> None:
    table = _one_row_table(3)
    needed = sum(_needs([Cell("1")], [Cell("Sở Tài chính")], [[Cell("12345")]] * 3,
                        ["Tổng số"] * 3, ("STT", "Đơn vị"), 9.0, strict))  # fmt: skip
    portrait_mm = needed / PT_PER_MM
    assert portrait_mm * PT_PER_MM == needed  # the page is exactly as wide as the table
    fit = fit_table(**table, portrait_mm=portrait_mm)  # type: ignore[arg-type]
    assert (fit.landscape, fit.font_size, fit.fits) == (False, 9.0, True)


def test_portrait_is_kept_down_to_the_minimum_portrait_font() -> None:
    table = _one_row_table(6)
    at_8 = sum(natural_widths_mm(**table, size=8.0))  # type: ignore[arg-type]
    at_8_5 = sum(natural_widths_mm(**table, size=8.5))  # type: ignore[arg-type]
    fit = fit_table(**table, portrait_mm=(at_8 + at_8_5) / 2)  # type: ignore[arg-type]
    assert (fit.landscape, fit.font_size) == (False, 8.0)


def test_a_table_that_fits_nowhere_says_so_with_a_false() -> None:
    fit = fit_table(**_one_row_table(3), portrait_mm=10, landscape_mm=10)  # type: ignore[arg-type]
    assert fit.fits is False
    assert fit.landscape is True
    with pytest.raises(ValueError, match=r"^One header per figure column\.$"):
        fit_table(**{**_one_row_table(2), "headers": ["a"]})  # type: ignore[arg-type]
