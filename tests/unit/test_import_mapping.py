"""Column mapping of legacy workbooks: header variants, merged headers, money units, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from inspect_app.domain.labels import ORIGIN_LABELS
from inspect_app.importing.mapping import (
    MSG_BAD_AMOUNT,
    MSG_BAD_DATE,
    MSG_FRACTIONAL_DONG,
    MSG_NEGATIVE_AMOUNT,
    MSG_NO_SUCH_DATE,
    MSG_UNKNOWN_CHOICE,
    RECORD_FIELDS,
    RECORD_KINDS,
    CellValueError,
    combine_header_rows,
    enum_index,
    excel_serial_date,
    find_header,
    fold_header,
    header_unit,
    map_headers,
    parse_date,
    parse_enum,
    parse_integer,
    parse_money,
    parse_text,
)


@pytest.mark.parametrize(
    "header",
    ["Số QĐ", "So QD", "SỐ QĐ:", "Số quyết định", "So quyet dinh", "số  quyết-định", "Số QĐ (*)"],
)
def test_decision_number_header_variants_map_to_one_field(header: str) -> None:
    mapping = map_headers("cases", [header])
    assert mapping.columns["decision_no"].index == 0
    assert mapping.unknown == []


def test_fold_header_drops_diacritics_case_and_punctuation() -> None:
    assert fold_header("Số QĐ:") == "so qd"
    assert fold_header("  Ngày   KẾT-LUẬN. ") == "ngay ket luan"
    assert fold_header("Đã thu hồi") == "da thu hoi"


def test_map_headers_reports_missing_unknown_and_duplicate_columns() -> None:
    mapping = map_headers("cases", ["Số QĐ", "Ghi chú", "So quyet dinh", None, ""])
    assert mapping.columns["decision_no"].index == 0
    assert mapping.unknown == [(1, "Ghi chú")]
    assert mapping.duplicates == [(2, "So quyet dinh")]
    assert mapping.missing_required == ["decision_date", "title", "origin"]


def test_every_template_header_maps_back_to_its_own_field() -> None:
    for kind in RECORD_KINDS:
        specs = RECORD_FIELDS[kind]
        mapping = map_headers(kind, [spec.header for spec in specs])
        assert {name: column.index for name, column in mapping.columns.items()} == {
            spec.name: position for position, spec in enumerate(specs)
        }
        assert mapping.missing_required == []


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Số tiền (triệu đồng)", "million"),
        ("Số tiền (tr.đ)", "million"),
        ("So tien (trd)", "million"),
        ("Số tiền (TRIỆU ĐỒNG)", "million"),
        ("Số tiền (đồng)", "dong"),
        ("Số tiền (VNĐ)", "dong"),
        ("Số tiền (đ)", "dong"),
        ("Số tiền", None),
        ("Số tiền (ghi chú)", None),
    ],
)
def test_header_unit_is_read_from_parentheses(header: str, unit: str | None) -> None:
    assert header_unit(header) == unit


def test_money_column_takes_the_unit_of_its_header_and_defaults_to_dong() -> None:
    mapping = map_headers("measures", ["Số QĐ", "Số tiền kiến nghị (triệu đồng)"])
    assert mapping.columns["amount_vnd"].unit == "million"
    mapping = map_headers("measures", ["Số QĐ", "Số tiền kiến nghị"])
    assert mapping.columns["amount_vnd"].unit == "dong"


def test_combine_header_rows_spreads_a_merged_top_cell_over_its_span() -> None:
    top = ["Số QĐ", "Kiến nghị thu hồi", None, "Thời hạn", None, None]
    bottom = [None, "Mã kiến nghị", "Số tiền (triệu đồng)", None, None, "Ghi chú"]
    combined = combine_header_rows(top, bottom)
    assert combined == [
        "Số QĐ",
        "Kiến nghị thu hồi Mã kiến nghị",
        "Kiến nghị thu hồi Số tiền (triệu đồng)",
        "Thời hạn",
        "",
        "Ghi chú",
    ]
    mapping = map_headers("measures", combined)
    assert mapping.columns["key"].index == 1
    assert mapping.columns["amount_vnd"].index == 2
    assert mapping.columns["amount_vnd"].unit == "million"
    assert mapping.columns["due_on"].index == 3
    assert mapping.unknown == [(5, "Ghi chú")]


def test_combine_header_rows_of_unequal_length() -> None:
    # A blank top cell after a header is part of that header's merged span.
    assert combine_header_rows(["A"], ["", "B"]) == ["A", "A B"]
    assert combine_header_rows([None, "A"], ["B"]) == ["B", "A"]
    assert combine_header_rows(["A", None, "C"], ["x"]) == ["A x", "", "C"]


# Excel's 1900 system: serial 1 is 01/01/1900, 59 is 28/02/1900, 60 the phantom 29/02/1900,
# 61 is 01/03/1900.
@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (45658, dt.date(2025, 1, 1)),
        (45658.75, dt.date(2025, 1, 1)),
        (2_958_465, dt.date(9999, 12, 31)),
    ],
)
def test_excel_serial_dates(serial: float, expected: dt.date) -> None:
    assert excel_serial_date(serial) == expected
    assert parse_date(serial) == expected


def test_excel_serial_60_is_a_day_that_never_was() -> None:
    with pytest.raises(CellValueError) as error:
        parse_date(60)
    assert error.value.message == MSG_NO_SUCH_DATE


@pytest.mark.parametrize("serial", [0, 0.5, -1, 2_958_466])
def test_excel_serial_out_of_range_is_refused(serial: float) -> None:
    with pytest.raises(CellValueError) as error:
        parse_date(serial)
    assert error.value.message == MSG_BAD_DATE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2024", dt.date(2024, 12, 31)),
        ("1/1/2025", dt.date(2025, 1, 1)),
        ("01-02-2025", dt.date(2025, 2, 1)),
        ("29.02.2024", dt.date(2024, 2, 29)),
        (" 15/03/2026 ", dt.date(2026, 3, 15)),
    ],
)
def test_date_text_is_day_month_year(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["32/12/2024", "31/04/2025", "29/02/2025", "00/01/2025"])
def test_date_text_of_a_day_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(CellValueError) as error:
        parse_date(text)
    assert error.value.message == MSG_NO_SUCH_DATE


@pytest.mark.parametrize("value", ["2024-12-31", "31/12/24", "hôm qua", True])
def test_date_in_another_shape_is_refused(value: object) -> None:
    with pytest.raises(CellValueError) as error:
        parse_date(value)
    assert error.value.message == MSG_BAD_DATE


def test_date_cells_that_are_already_dates_or_blank() -> None:
    assert parse_date(dt.datetime(2025, 6, 30, 23, 59)) == dt.date(2025, 6, 30)
    assert parse_date(dt.date(2025, 7, 1)) == dt.date(2025, 7, 1)
    assert parse_date(None) is None
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    ("value", "unit", "dong"),
    [
        (0, "dong", 0),
        (1, "dong", 1),
        (1.5, "million", 1_500_000),
        ("1,5", "million", 1_500_000),
        ("1.5", "million", 1_500_000),
        (0.000001, "million", 1),
        (1250000.0, "dong", 1_250_000),
        ("1.250.000", "dong", 1_250_000),
        ("1.250.000 ₫", "dong", 1_250_000),
        ("1,250,000", "dong", 1_250_000),
        ("1.250.000,5", "million", 1_250_000_500_000),
        (9_223_372_036_854_775_807, "dong", 9_223_372_036_854_775_807),
        (2.675, "million", 2_675_000),
    ],
)
def test_money_in_dong_or_million(value: object, unit: str, dong: int) -> None:
    assert parse_money(value, unit) == dong  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "unit"), [(1.5, "dong"), ("0,5", "dong"), (0.0000001, "million"), ("1.5", "dong")]
)
def test_fractional_dong_is_refused(value: object, unit: str) -> None:
    with pytest.raises(CellValueError) as error:
        parse_money(value, unit)  # type: ignore[arg-type]
    assert error.value.message == MSG_FRACTIONAL_DONG


def test_negative_and_non_numeric_money_is_refused() -> None:
    with pytest.raises(CellValueError) as error:
        parse_money(-1)
    assert error.value.message == MSG_NEGATIVE_AMOUNT
    for value in ("một triệu", "1..2", True, float("nan"), float("inf"), dt.date(2025, 1, 1)):
        with pytest.raises(CellValueError) as error:
            parse_money(value)
        assert error.value.message == MSG_BAD_AMOUNT


def test_blank_money_is_none_not_zero() -> None:
    assert parse_money(None) is None
    assert parse_money(" ") is None


def test_integers_and_text() -> None:
    assert parse_integer(3.0) == 3
    assert parse_integer("12") == 12
    assert parse_integer(None) is None
    for value in (2.5, "2,5", True):
        with pytest.raises(CellValueError):
            parse_integer(value)
    assert parse_text(1234567.0) == "1234567"
    assert parse_text("  15/QĐ-TTr \n") == "15/QĐ-TTr"
    assert parse_text(dt.date(2025, 3, 14)) == "14/03/2025"
    assert parse_text(None) == ""


def test_enum_labels_match_with_or_without_diacritics() -> None:
    index = enum_index(ORIGIN_LABELS, {"Theo kế hoạch": "scheduled", "Đột xuất": "ad_hoc"})
    assert parse_enum("Đột xuất", index) == "ad_hoc"
    assert parse_enum("DOT XUAT", index) == "ad_hoc"
    assert parse_enum("theo ke hoach", index) == "scheduled"
    assert parse_enum("Ad-hoc", index) == "ad_hoc"
    assert parse_enum("ad_hoc", index) == "ad_hoc"
    assert parse_enum("", index) is None
    with pytest.raises(CellValueError) as error:
        parse_enum("Thường xuyên", index)
    assert error.value.message == MSG_UNKNOWN_CHOICE


def test_find_header_skips_titles_and_blank_rows_and_reads_two_row_headers() -> None:
    rows: list[list[object]] = [
        ["BÁO CÁO KẾT QUẢ THỰC HIỆN KẾT LUẬN"],
        [],
        ["Số QĐ", "Kiến nghị", None, "Ngày thực hiện"],
        [None, "Mã kiến nghị", "Đã thu hồi (tr.đ)", None],
        ["15/QĐ-TTr", "KN1", 2, "14/03/2025"],
    ]
    header = find_header("executions", rows)
    assert header is not None
    assert (header.row, header.height) == (2, 2)
    assert header.mapping.columns["amount_vnd"].unit == "million"
    assert header.mapping.missing_required == []


def test_find_header_prefers_one_row_when_the_next_is_data() -> None:
    rows: list[list[object]] = [["Số QĐ", "Mã kiến nghị", "Ngày thực hiện"], ["1/QĐ", "KN1", 45000]]
    header = find_header("executions", rows)
    assert header is not None
    assert (header.row, header.height) == (0, 1)


def test_find_header_is_none_without_a_required_field_in_the_scanned_rows() -> None:
    assert find_header("executions", [["Ghi chú"], ["Số văn bản"]]) is None
    # Rows 0..10 are titles; the header is row 11, reached when row 10 (with 11) is scanned.
    late: list[list[object]] = [[f"dòng {n}"] for n in range(11)] + [["Số QĐ", "Mã kiến nghị"]]
    assert find_header("executions", late, scan=10) is None
    assert find_header("executions", late, scan=11) is not None
