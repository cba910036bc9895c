"""Dry run of an import: every problem at its sheet, row and column; the annotated copy."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from inspect_app.domain.records import (
    AMOUNT_REQUIRED,
    DESCRIPTION_REQUIRED,
    DUE_REQUIRED,
    IN_FUTURE,
    PEOPLE_REQUIRED,
)
from inspect_app.importing.mapping import MSG_FRACTIONAL_DONG, MSG_NO_SUCH_DATE, MSG_UNKNOWN_CHOICE
from inspect_app.importing.reader import Sheet, read_workbook
from inspect_app.importing.report import PROBLEM_FILL, annotated_workbook
from inspect_app.importing.validate import (
    MSG_AMOUNT_TOO_LARGE,
    MSG_DUPLICATE_ROW,
    MSG_MISSING_COLUMN,
    MSG_MISSING_SHEET,
    MSG_NO_CASE,
    MSG_NO_FINDING,
    MSG_NO_MEASURE,
    MSG_REQUIRED,
    MSG_UNKNOWN_SHEET,
    Problem,
    column_letter,
    dry_run,
)

TODAY = dt.date(2025, 6, 30)

CASE_HEADER = ["Số QĐ", "Ngày QĐ", "Tên cuộc thanh tra", "Hình thức", "Ngày công bố", "Ngày KL"]
FINDING_HEADER = ["Số QĐ", "Mã phát hiện", "Nội dung vi phạm", "Số tiền vi phạm (triệu đồng)"]
MEASURE_HEADER = [
    "Số QĐ",
    "Mã kiến nghị",
    "Mã phát hiện",
    "Loại kiến nghị",
    "Nội dung kiến nghị",
    "Số tiền (tr.đ)",
    "Thời hạn",
]
EXECUTION_HEADER = ["Số QĐ", "Mã kiến nghị", "Ngày thực hiện", "Đã thu hồi (đồng)"]


def _clean_sheets() -> list[Sheet]:
    return [
        Sheet(
            "Cuộc thanh tra",
            [
                CASE_HEADER,
                [
                    "15/QĐ-TTr",
                    "02/01/2025",
                    "Thanh tra đất đai",
                    "Theo kế hoạch",
                    45660,
                    "31/03/2025",
                ],
                ["16/QĐ-TTr", 45672, "Thanh tra ngân sách", "Dot xuat", None, None],
            ],
        ),
        Sheet(
            "Phát hiện",
            [FINDING_HEADER, ["15/QĐ-TTr", "PH1", "Chi sai chế độ", 1.5]],
        ),
        Sheet(
            "Kiến nghị",
            [
                MEASURE_HEADER,
                [
                    "15/QĐ-TTr",
                    "KN1",
                    "PH1",
                    "Thu hồi về ngân sách nhà nước",
                    "Thu hồi số chi sai",
                    1.5,
                    "30/04/2025",
                ],
            ],
        ),
        Sheet("Thực hiện", [EXECUTION_HEADER, ["15/QĐ-TTr", "KN1", "14/04/2025", 1_500_000]]),
    ]


def test_a_clean_workbook_has_no_problems_and_its_values_read() -> None:
    result = dry_run(_clean_sheets(), TODAY)
    assert result.problems == []
    assert result.clean
    first, second = result.rows["cases"]
    assert first.values["decision_date"] == dt.date(2025, 1, 2)
    assert first.values["announced_on"] == dt.date(2025, 1, 3)
    assert first.values["origin"] == "scheduled"
    assert first.values["year"] == 2025
    assert second.values["origin"] == "ad_hoc"
    assert result.rows["findings"][0].values["amount_vnd"] == 1_500_000
    assert result.rows["measures"][0].values["type"] == "recover_money"
    assert result.rows["executions"][0].values["amount_vnd"] == 1_500_000


def _where(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.sheet, p.cell, p.message) for p in problems]


def test_every_bad_cell_is_named_at_its_sheet_row_and_column() -> None:
    sheets = _clean_sheets()
    cases, findings, measures, executions = sheets
    cases.rows.append(["15/QĐ-TTr", "05/05/2025", "Trùng số", "Theo kế hoạch", None, None])
    cases.rows.append(["17/QĐ-TTr", "32/12/2024", "Ngày sai", "Thường xuyên", None, None])
    findings.rows.append(["99/QĐ-TTr", "PH9", "Không có cuộc", 0.0000001])
    measures.rows.append(["15/QĐ-TTr", "KN2", "PH7", "Thu hồi", "Không có số tiền", None, None])
    measures.rows.append(["15/QĐ-TTr", "KN1", None, "Kiểm điểm", "", None, None])
    executions.rows.append(["15/QĐ-TTr", "KN8", "01/07/2025", 2_000_000_000_000_000])
    result = dry_run(sheets, TODAY)
    assert not result.clean
    messages = _where(result.problems)
    assert [(sheet, cell) for sheet, cell, _ in messages] == [
        ("Cuộc thanh tra", "A4"),
        ("Cuộc thanh tra", "B5"),
        ("Cuộc thanh tra", "D5"),
        ("Phát hiện", "A3"),
        ("Phát hiện", "D3"),
        ("Kiến nghị", "C3"),
        ("Kiến nghị", "F3"),
        ("Kiến nghị", "G3"),
        ("Kiến nghị", "4"),  # discipline without a number of people: no such column
        ("Kiến nghị", "B4"),
        ("Kiến nghị", "E4"),
        ("Kiến nghị", "G4"),
        ("Thực hiện", "B3"),
        ("Thực hiện", "C3"),
        ("Thực hiện", "D3"),
    ]
    by_cell = {(sheet, cell): message for sheet, cell, message in messages}
    # The same decision number in the same year is the same case.
    assert by_cell[("Cuộc thanh tra", "A4")] == MSG_DUPLICATE_ROW
    assert by_cell[("Cuộc thanh tra", "B5")] == MSG_NO_SUCH_DATE
    assert by_cell[("Cuộc thanh tra", "D5")] == MSG_UNKNOWN_CHOICE
    assert by_cell[("Phát hiện", "A3")] == MSG_NO_CASE
    assert by_cell[("Phát hiện", "D3")] == MSG_FRACTIONAL_DONG
    assert by_cell[("Kiến nghị", "C3")] == MSG_NO_FINDING
    assert by_cell[("Kiến nghị", "F3")] == AMOUNT_REQUIRED
    assert by_cell[("Kiến nghị", "B4")] == MSG_DUPLICATE_ROW
    assert by_cell[("Kiến nghị", "G3")] == DUE_REQUIRED  # case 15 was concluded
    assert by_cell[("Kiến nghị", "E4")] == DESCRIPTION_REQUIRED
    assert by_cell[("Kiến nghị", "4")] == PEOPLE_REQUIRED
    assert by_cell[("Thực hiện", "B3")] == MSG_NO_MEASURE
    assert by_cell[("Thực hiện", "C3")] == IN_FUTURE
    assert by_cell[("Thực hiện", "D3")] == MSG_AMOUNT_TOO_LARGE
    assert by_cell[("Cuộc thanh tra", "A4")].values == {"row": 2}


def test_case_dates_out_of_order_and_execution_before_announcement() -> None:
    sheets = _clean_sheets()
    cases, _, _, executions = sheets
    # Announced on 01/01/2025, the day before the decision of 02/01/2025.
    cases.rows[1][4] = "01/01/2025"
    executions.rows.append(["15/QĐ-TTr", "KN1", "31/12/2024", 1])
    result = dry_run(sheets, TODAY)
    texts = {(p.sheet, p.cell): p.text("vi") for p in result.problems}
    assert texts[("Cuộc thanh tra", "E2")] == "Ngày này trước ngày quyết định (02/01/2025)."
    assert ("Thực hiện", "C3") in texts
    assert "01/01/2025" in texts[("Thực hiện", "C3")]
    # The day of the announcement itself is allowed.
    executions.rows[-1][2] = "01/01/2025"
    assert ("Thực hiện", "C3") not in {(p.sheet, p.cell) for p in dry_run(sheets, TODAY).problems}


def test_execution_dated_today_is_allowed_tomorrow_is_not() -> None:
    sheets = _clean_sheets()
    sheets[3].rows[1][2] = TODAY
    assert dry_run(sheets, TODAY).clean
    sheets[3].rows[1][2] = TODAY + dt.timedelta(days=1)
    assert _where(dry_run(sheets, TODAY).problems) == [("Thực hiện", "C2", IN_FUTURE)]


def test_required_blank_missing_column_missing_and_unknown_sheets() -> None:
    sheets = _clean_sheets()
    sheets[0].rows[2][2] = "  "
    sheets[1].rows[0] = ["Số QĐ", "Nội dung vi phạm"]
    sheets.append(Sheet("Sheet1", [["x"]]))
    sheets.append(Sheet("Trống", []))
    result = dry_run(sheets, TODAY)
    found = {(p.sheet, p.cell, str(p.message)) for p in result.problems}
    assert ("Sheet1", "", MSG_UNKNOWN_SHEET) in found
    assert ("Cuộc thanh tra", "C3", MSG_REQUIRED) in found
    missing = [p for p in result.problems if p.sheet == "Phát hiện"]
    assert len(missing) == 1
    assert missing[0].cell == "1"
    assert missing[0].message == MSG_MISSING_COLUMN
    assert missing[0].text("vi") == "Thiếu cột “Mã phát hiện”."
    # The measure pointing at PH1 is now unresolved: the findings sheet was not read.
    assert ("Kiến nghị", "C2", MSG_NO_FINDING) in found
    assert not any(p.sheet == "Trống" for p in result.problems)


def test_without_a_sheet_of_cases() -> None:
    result = dry_run(_clean_sheets()[1:], TODAY)
    assert result.problems[0].message == MSG_MISSING_SHEET
    assert {p.message for p in result.problems if p.row is not None} == {MSG_NO_CASE}


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def _xlsx(sheets: list[Sheet]) -> bytes:
    workbook = Workbook()
    default = workbook.active
    for sheet in sheets:
        target = workbook.create_sheet(sheet.name)
        for row in sheet.rows:
            target.append(row)
    assert default is not None
    workbook.remove(default)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_annotated_copy_fills_and_comments_each_bad_cell_in_vietnamese() -> None:
    sheets = _clean_sheets()
    sheets[1].rows[1][3] = "1,0000001"
    sheets[0].rows[2][1] = "31/02/2025"
    source = _xlsx(sheets)
    read = read_workbook(source)
    result = dry_run(read, TODAY)
    assert [(p.sheet, p.cell) for p in result.problems] == [
        ("Cuộc thanh tra", "B3"),
        ("Phát hiện", "D2"),
    ]
    copy = load_workbook(
        io.BytesIO(annotated_workbook(source, "so-lieu.xlsx", read, result.problems, "vi"))
    )
    cases = copy["Cuộc thanh tra"]
    assert cases["B3"].value == "31/02/2025"
    assert cases["B3"].comment.text == "Ngày này không tồn tại."
    assert cases["B3"].fill.fgColor.rgb == PROBLEM_FILL.fgColor.rgb
    assert cases["B2"].comment is None
    assert cases["B2"].fill.fill_type is None
    findings = copy["Phát hiện"]
    assert findings["D2"].comment.text == "Số tiền phải là số nguyên đồng."
    assert findings["D2"].value == "1,0000001"


def test_annotated_copy_of_a_workbook_openpyxl_cannot_open() -> None:
    sheets = [
        Sheet("Cuộc thanh tra", [CASE_HEADER, ["15/QĐ-TTr", dt.date(2025, 1, 2), None, "Đột xuất"]])
    ]
    result = dry_run(sheets, TODAY)
    assert _where(result.problems) == [("Cuộc thanh tra", "C2", MSG_REQUIRED)]
    copy = load_workbook(
        io.BytesIO(annotated_workbook(b"", "cu.ods", sheets, result.problems, "en"))
    )
    assert copy.sheetnames == ["Cuộc thanh tra"]
    cell = copy["Cuộc thanh tra"]["C2"]
    assert cell.comment.text == "This field is required."
    assert copy["Cuộc thanh tra"]["A2"].value == "15/QĐ-TTr"


def test_annotated_copy_puts_a_problem_inside_a_merged_range_on_its_first_cell() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Kiến nghị"
    sheet.append(["Số QĐ", "Kiến nghị", None, None])
    sheet.merge_cells("B1:D1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    problems = [Problem("Kiến nghị", 1, 2, MSG_REQUIRED), Problem("Kiến nghị", 1, 0, MSG_REQUIRED)]
    read = read_workbook(buffer.getvalue())
    content = annotated_workbook(buffer.getvalue(), "kn.xlsx", read, problems, "vi")
    copy = load_workbook(io.BytesIO(content))["Kiến nghị"]
    assert copy["B1"].comment.text == "Trường này là bắt buộc."
    assert copy["A1"].comment.text == "Trường này là bắt buộc."
    assert copy["C1"].comment is None
