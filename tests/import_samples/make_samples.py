"""The sample workbooks of the import tests (``python -m tests.import_samples.make_samples``).

Each sample is a workbook as units keep them, with what the import must cope with:

- ``clean.xlsx``: the template's sheets, two cases of 2024 with their subjects, findings,
  recommendations and executions; money in đồng, dates as Excel dates. Committed as it is.
- ``legacy.xls``: the same records in the old format as a unit kept them: a title row, a
  merged two-row header over the money columns, amounts in triệu đồng, dates as Excel
  serial numbers and as dd/mm/yyyy text, headers without diacritics. Its commit gives the
  same records as ``clean.xlsx``.
- ``corrected.xlsx``: ``clean.xlsx`` with one recommendation's amount corrected and one
  payment added: a re-import updates the one and adds the other, nothing else.
- ``problems.xlsx``: a repeated case, a repeated finding, a day that does not exist, a
  recommendation pointing at no finding, an execution in the future; the tests name each
  expected problem by sheet, row and column.

The tests run this module into a temporary folder rather than trusting the files on disk,
so that the samples always match the generator.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HERE = Path(__file__).parent

CASE_HEADER = [
    "Số quyết định thanh tra",
    "Ngày quyết định",
    "Tên cuộc thanh tra",
    "Hình thức",
    "Ngày công bố",
    "Ngày kết thúc trực tiếp",
    "Số kết luận",
    "Ngày kết luận",
]
SUBJECT_HEADER = ["Số quyết định thanh tra", "Tên đối tượng", "Mã số thuế", "Loại đối tượng"]
FINDING_HEADER = [
    "Số quyết định thanh tra",
    "Mã phát hiện",
    "MST đối tượng",
    "Lĩnh vực",
    "Nội dung vi phạm",
    "Số tiền vi phạm (đồng)",
]
MEASURE_HEADER = [
    "Số quyết định thanh tra",
    "Mã kiến nghị",
    "Mã phát hiện",
    "Loại kiến nghị",
    "Nội dung kiến nghị",
    "Số tiền kiến nghị (đồng)",
    "Thời hạn",
    "Số cá nhân",
]
EXECUTION_HEADER = [
    "Số quyết định thanh tra",
    "Mã kiến nghị",
    "Ngày thực hiện",
    "Số tiền đã thu hồi (đồng)",
    "Số lượng",
    "Số văn bản",
]

D = dt.date
CASES = [
    [
        "12/QĐ-TTr",
        D(2024, 2, 1),
        "Thanh tra ngân sách huyện",
        "Theo kế hoạch",
        D(2024, 2, 5),
        D(2024, 3, 20),
        "30/KL-TTr",
        D(2024, 4, 25),
    ],
    [
        "47/QĐ-TTr",
        D(2024, 9, 2),
        "Thanh tra đột xuất dự án đường",
        "Đột xuất",
        D(2024, 9, 9),
        None,
        None,
        None,
    ],
]
SUBJECTS = [
    ["12/QĐ-TTr", "UBND huyện Hoành Bồ", None, "Cơ quan nhà nước"],
    ["12/QĐ-TTr", "Công ty TNHH Xây dựng Minh An", "5701234567", "Doanh nghiệp"],
    ["47/QĐ-TTr", "Công ty TNHH Xây dựng Minh An", "5701234567", "Doanh nghiệp"],
]
FINDINGS = [
    [
        "12/QĐ-TTr",
        "PH1",
        "5701234567",
        "Tài chính, ngân sách",
        "Thanh toán khống khối lượng",
        1_250_000_000,
    ],
    ["12/QĐ-TTr", "PH2", None, "Tài chính, ngân sách", "Chi sai chế độ công tác phí", 40_000_000],
]
MEASURES = [
    [
        "12/QĐ-TTr",
        "KN1",
        "PH1",
        "Thu hồi về NSNN",
        "Thu hồi tiền thanh toán khống",
        1_000_000_000,
        D(2024, 7, 31),
        None,
    ],
    [
        "12/QĐ-TTr",
        "KN2",
        "PH2",
        "Thu hồi về NSNN",
        "Thu hồi công tác phí chi sai",
        40_000_000,
        D(2024, 6, 30),
        None,
    ],
    [
        "12/QĐ-TTr",
        "KN3",
        "PH1",
        "Kiểm điểm",
        "Kiểm điểm trách nhiệm kế toán",
        None,
        D(2024, 6, 30),
        2,
    ],
]
EXECUTIONS = [
    ["12/QĐ-TTr", "KN1", D(2024, 5, 20), 400_000_000, None, "GNT 101"],
    ["12/QĐ-TTr", "KN1", D(2024, 6, 28), 100_000_000, None, "GNT 145"],
    ["12/QĐ-TTr", "KN2", D(2024, 3, 15), 40_000_000, None, "GNT 033"],
    ["12/QĐ-TTr", "KN3", D(2024, 6, 10), None, 2, "QĐ 77/QĐ-UBND"],
]


def _sheets(
    measures: Sequence[list[Any]] = MEASURES, executions: Sequence[list[Any]] = EXECUTIONS
) -> dict[str, list[list[Any]]]:
    return {
        "Cuộc thanh tra": [CASE_HEADER, *CASES],
        "Đối tượng": [SUBJECT_HEADER, *SUBJECTS],
        "Phát hiện": [FINDING_HEADER, *FINDINGS],
        "Kiến nghị": [MEASURE_HEADER, *measures],
        "Thực hiện": [EXECUTION_HEADER, *executions],
    }


def _write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "dd/mm/yyyy"
    book.save(path)


def corrected_measures() -> list[list[Any]]:
    """KN2 corrected from 40 to 45 triệu."""
    rows = [list(row) for row in MEASURES]
    rows[1][5] = 45_000_000
    return rows


def corrected_executions() -> list[list[Any]]:
    """A third payment of KN1 added."""
    return [*EXECUTIONS, ["12/QĐ-TTr", "KN1", D(2024, 7, 15), 250_000_000, None, "GNT 188"]]


def problem_sheets() -> dict[str, list[list[Any]]]:
    """Rows with known problems; tests/integration/test_import_commit.py lists them."""
    cases = [list(row) for row in CASES]
    cases.append(list(CASES[0]))  # row 4: the same decision number and year again
    findings = [list(row) for row in FINDINGS]
    findings.append(["47/QĐ-TTr", "PH1", None, "Đất đai", "Lấn chiếm đất", 5_000_000])
    findings.append(["12/QĐ-TTr", "PH2", None, "Đất đai", "Trùng mã", 1_000])  # row 5
    measures = [list(row) for row in MEASURES]
    measures.append(
        ["47/QĐ-TTr", "KN1", "PH9", "Thu hồi về NSNN", "Thu hồi", 5_000_000, D(2024, 12, 31), None]
    )  # row 5: no finding PH9
    executions = [list(row) for row in EXECUTIONS]
    executions[1][2] = "32/06/2024"  # row 3: a day that does not exist
    executions.append(["12/QĐ-TTr", "KN2", D(2099, 1, 1), 1_000, None, ""])  # row 6: future
    return {
        "Cuộc thanh tra": [CASE_HEADER, *cases],
        "Đối tượng": [SUBJECT_HEADER, *SUBJECTS],
        "Phát hiện": [FINDING_HEADER, *findings],
        "Kiến nghị": [MEASURE_HEADER, *measures],
        "Thực hiện": [EXECUTION_HEADER, *executions],
    }


def _serial(day: dt.date) -> int:
    return (day - D(1899, 12, 30)).days


def _write_legacy_xls(path: Path) -> None:
    """The same records as clean.xlsx the way an old unit workbook has them."""
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    cases = book.add_sheet("Cuoc thanh tra")
    cases.write(0, 0, "DANH SÁCH CUỘC THANH TRA NĂM 2024")
    header = [
        "So QD",
        "Ngay QD",
        "Ten cuoc",
        "Hinh thuc",
        "Ngay cong bo",
        "Ngay ket thuc",
        "So KL",
        "Ngay KL",
    ]
    for column, text in enumerate(header):
        cases.write(2, column, text)
    for n, row in enumerate(CASES, start=3):
        for column, value in enumerate(row):
            if isinstance(value, dt.date):
                # serial numbers and dd/mm/yyyy text, alternately, as hand-kept books do
                value = _serial(value) if column % 2 else value.strftime("%d/%m/%Y")
            if value is not None:
                cases.write(n, column, value)
    subjects = book.add_sheet("Doi tuong")
    for column, text in enumerate(["So QD", "Ten don vi", "MST", "Loai hinh"]):
        subjects.write(0, column, text)
    for n, row in enumerate(SUBJECTS, start=1):
        for column, value in enumerate(row):
            if value is not None:
                subjects.write(n, column, value)
    findings = book.add_sheet("Phat hien")
    top = ["So QD", "Ma phat hien", "MST doi tuong", "Linh vuc", "Noi dung vi pham"]
    for column, text in enumerate(top):
        findings.write_merge(0, 1, column, column, text)
    findings.write(0, 5, "Sai phạm về tiền")
    findings.write(1, 5, "Tiền vi phạm (triệu đồng)")
    for n, row in enumerate(FINDINGS, start=2):
        for column, value in enumerate(row):
            if column == 5:
                value = value / 1_000_000
            if value is not None:
                findings.write(n, column, value)
    measures = book.add_sheet("Bien phap xu ly")
    top = ["So QD", "STT kien nghi", "STT phat hien", "Loai bien phap", "Noi dung kien nghi"]
    for column, text in enumerate(top):
        measures.write_merge(0, 1, column, column, text)
    measures.write_merge(0, 0, 5, 6, "Kiến nghị thu hồi")
    measures.write(1, 5, "Số tiền (tr.đ)")
    measures.write(1, 6, "Han thuc hien")
    measures.write_merge(0, 1, 7, 7, "So ca nhan")
    for n, row in enumerate(MEASURES, start=2):
        for column, value in enumerate(row):
            if column == 5 and value is not None:
                value = value / 1_000_000
            if isinstance(value, dt.date):
                value = _serial(value)
            if value is not None:
                measures.write(n, column, value)
    executions = book.add_sheet("Ket qua thuc hien")
    header = [
        "So QD",
        "STT kien nghi",
        "Ngay nop",
        "Da thu hoi (trieu dong)",
        "So nguoi",
        "So chung tu",
    ]
    for column, text in enumerate(header):
        executions.write(0, column, text)
    for n, row in enumerate(EXECUTIONS, start=1):
        for column, value in enumerate(row):
            if column == 3 and value is not None:
                value = value / 1_000_000
            if isinstance(value, dt.date):
                value = value.strftime("%d/%m/%Y")
            if value is not None:
                executions.write(n, column, value)
    book.save(str(path))


def write_samples(folder: Path) -> dict[str, Path]:
    """Write every sample into ``folder``; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        name: folder / name
        for name in ("clean.xlsx", "legacy.xls", "corrected.xlsx", "problems.xlsx")
    }
    _write_xlsx(paths["clean.xlsx"], _sheets())
    _write_xlsx(paths["corrected.xlsx"], _sheets(corrected_measures(), corrected_executions()))
    _write_xlsx(paths["problems.xlsx"], problem_sheets())
    _write_legacy_xls(paths["legacy.xls"])
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in write_samples(target).values():
        print(path)
