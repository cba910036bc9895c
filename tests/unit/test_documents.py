"""The lines of the administrative document frame (Decree 30/2020/NĐ-CP)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.documents import (
    DocumentSettings,
    date_line,
    distribution_lines,
    head_title_of,
    inherited_place,
    number_line,
    recipient_lines,
    report_summary,
    signer_lines,
    split_lines,
    validate_settings,
)


@pytest.mark.parametrize(
    ("issued_on", "expected"),
    [
        (date(2026, 3, 15), "Hạ Long, ngày 15 tháng 3 năm 2026"),
        (date(2026, 1, 5), "Hạ Long, ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "Hạ Long, ngày 28 tháng 02 năm 2026"),
        (date(2026, 12, 9), "Hạ Long, ngày 09 tháng 12 năm 2026"),
        (date(2026, 10, 10), "Hạ Long, ngày 10 tháng 10 năm 2026"),
        (date(2026, 3, 1), "Hạ Long, ngày 01 tháng 3 năm 2026"),
    ],
)
def test_date_line_pads_days_below_10_and_only_january_and_february(
    issued_on: date, expected: str
) -> None:
    assert date_line("Hạ Long", issued_on) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_date_line_reads_back_as_the_same_day(issued_on: date) -> None:
    words = date_line("Phủ Lý", issued_on).split()
    assert words[0] == "Phủ" and words[1] == "Lý,"
    day, month, year = int(words[3]), int(words[5]), int(words[7])
    assert date(year, month, day) == issued_on
    assert len(words[3]) == 2
    assert len(words[5]) == (2 if issued_on.month <= 2 else len(str(issued_on.month)))


def test_draft_date_line_leaves_day_and_month_to_be_written() -> None:
    line = date_line("Hạ Long", None, 2026)
    assert line.startswith("Hạ Long, ngày ") and line.endswith(" năm 2026")
    assert not any(ch.isdigit() for ch in line[: -len("2026")])
    assert date_line("", date(2026, 3, 15)) == "ngày 15 tháng 3 năm 2026"


def test_number_line() -> None:
    assert number_line(12, "TTr") == "Số: 12/BC-TTr"
    assert number_line(5, "TTr") == "Số: 05/BC-TTr"
    assert number_line(123, "SGDĐT") == "Số: 123/BC-SGDĐT"
    draft = number_line(None, "TTr")
    assert draft.startswith("Số: ") and draft.endswith("/BC-TTr")
    assert not any(ch.isdigit() for ch in draft)
    with pytest.raises(ValueError):
        number_line(0, "TTr")


def test_signer_lines_for_each_form() -> None:
    assert signer_lines("direct", "Chánh Thanh tra") == ["CHÁNH THANH TRA"]
    assert signer_lines("kt", "chánh thanh tra", "Phó Chánh Thanh tra") == [
        "KT. CHÁNH THANH TRA",
        "PHÓ CHÁNH THANH TRA",
    ]
    assert signer_lines("tl", "CHÁNH THANH TRA", "Chánh Văn phòng") == [
        "TL. CHÁNH THANH TRA",
        "CHÁNH VĂN PHÒNG",
    ]
    # A deputy's own title is ignored when the head signs directly.
    assert signer_lines("direct", "Giám đốc", "Phó Giám đốc") == ["GIÁM ĐỐC"]


@pytest.mark.parametrize(
    ("form", "head", "own"),
    [("kt", "Chánh Thanh tra", ""), ("tl", "Chánh Thanh tra", "  "), ("direct", "", ""),
     ("ký thay", "Chánh Thanh tra", "Phó")],
)  # fmt: skip
def test_signer_lines_refuse_incomplete_forms(form: str, head: str, own: str) -> None:
    with pytest.raises(ValueError):
        signer_lines(form, head, own)


def test_recipients_one_on_the_line_several_as_a_list() -> None:
    assert recipient_lines(["Ủy ban nhân dân tỉnh Quảng Ninh"]) == [
        "Ủy ban nhân dân tỉnh Quảng Ninh."
    ]
    assert recipient_lines(["- Thanh tra Chính phủ;", "UBND tỉnh Quảng Ninh.", " "]) == [
        "- Thanh tra Chính phủ;",
        "- UBND tỉnh Quảng Ninh.",
    ]
    assert recipient_lines([]) == []


def test_distribution_ends_with_the_archive_copy() -> None:
    assert distribution_lines(["Như trên", "Lưu: VT, NV1", "Lãnh đạo Thanh tra tỉnh"]) == [
        "- Như trên;",
        "- Lãnh đạo Thanh tra tỉnh;",
        "- Lưu: VT, NV1.",
    ]
    assert distribution_lines(["Như trên;"]) == ["- Như trên;", "- Lưu: VT."]
    assert distribution_lines([]) == ["- Lưu: VT."]


def test_summary_and_lists() -> None:
    assert report_summary("Quý I năm 2026") == "Kết quả công tác thanh tra quý I năm 2026"
    assert report_summary("Năm 2026") == "Kết quả công tác thanh tra năm 2026"
    assert split_lines(" Như trên \r\n\r\nLưu: VT\n") == ["Như trên", "Lưu: VT"]


def test_head_title_defaults_by_kind_and_place_inherits() -> None:
    assert head_title_of(DocumentSettings(), "province_inspectorate") == "CHÁNH THANH TRA"
    assert head_title_of(DocumentSettings(), "department") == "GIÁM ĐỐC"
    assert head_title_of(DocumentSettings(), "unknown") == "THỦ TRƯỞNG CƠ QUAN"
    assert head_title_of(DocumentSettings(head_title="Q. Chánh Thanh tra"), "x") == (
        "Q. CHÁNH THANH TRA"
    )
    assert inherited_place(["", "  ", "Hạ Long", "Hà Nội"]) == "Hạ Long"
    assert inherited_place([]) == ""


def test_settings_validation_names_the_field() -> None:
    assert validate_settings(DocumentSettings(symbol="SGDĐT", signing_form="direct")) == {}
    assert validate_settings(DocumentSettings(symbol="TTr.QN", place="Hạ Long")) == {}
    errors = validate_settings(
        DocumentSettings(
            symbol="TTr/BC",
            place="x" * 101,
            signing_form="kt",
            recipients=tuple(f"Nơi {i}" for i in range(21)),
            distribution=("y" * 256,),
        )
    )
    assert set(errors) == {"doc_symbol", "place_name", "signer_title", "recipients", "distribution"}
    assert validate_settings(DocumentSettings(signing_form="ký thay")) == {
        "signing_form": "Choose how the document is signed from the list."
    }


def test_settings_with_control_characters_are_refused_field_by_field() -> None:
    refused = "Remove the control characters from the text."
    errors = validate_settings(
        DocumentSettings(
            parent_body="UBND\x0btỉnh Quảng Ninh",
            place="Hạ\tLong",
            head_title="Chánh\x01Thanh tra",
            signer_name="Trần\x1fThị Bình",
            signer_title="Phó\x7fChánh Thanh tra",
            signing_form="kt",
            recipients=("Thanh tra Chính phủ", "UBND\x0ctỉnh"),
            distribution=("Như trên\x00",),
        )
    )
    assert errors == {
        "parent_body": refused,
        "place_name": refused,
        "head_title": refused,
        "signer_name": refused,
        "signer_title": refused,
        "recipients": refused,
        "distribution": refused,
    }
    # A value typed with surrounding spaces or a final line break is not refused for them.
    assert validate_settings(DocumentSettings(parent_body=" UBND tỉnh Quảng Ninh\n")) == {}
