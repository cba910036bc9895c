"""Sheet names of the board's workbook: Excel's limits, distinct, never the summary's."""

from __future__ import annotations

from inspect_app.services.follow_ups import sheet_names


def test_names_are_cut_to_31_characters_and_stay_distinct() -> None:
    long = "Ủy ban nhân dân huyện Kim Bảng tỉnh Hà Nam"
    names = sheet_names([long, long + " (cũ)", "x" * 31, "x" * 32], "Tổng hợp")
    assert all(len(name) <= 31 for name in names.values())
    assert len(set(names.values())) == 4
    assert names["x" * 31] == "x" * 31
    assert names["x" * 32] == "x" * 27 + " (2)"


def test_forbidden_characters_become_spaces_and_the_summary_name_is_kept_free() -> None:
    names = sheet_names(["Phòng [1]: thu/chi?", "tổng hợp", ""], "Tổng hợp")
    assert names["Phòng [1]: thu/chi?"] == "Phòng 1 thu chi"
    assert names["tổng hợp"] == "tổng hợp (2)"
    assert names[""] == "-"
