"""The dry run as the command prints it: progress, every problem, the annotated copy."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook

from inspect_app.importing.command import progress_bar, run_dry_run
from inspect_app.importing.template import import_template

TODAY = dt.date(2025, 6, 30)


def test_progress_bar_bounds() -> None:
    assert progress_bar(0, 5, width=10) == "[..........]   0 %"
    assert progress_bar(1, 5, width=10) == "[##........]  20 %"
    assert progress_bar(5, 5, width=10) == "[##########] 100 %"
    assert progress_bar(0, 0, width=10) == "[##########] 100 %"


def test_clean_template_prints_progress_and_no_problem(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    path.write_bytes(import_template())
    out = io.StringIO()
    result = run_dry_run(path, "TTT", True, TODAY, out, report_path=tmp_path / "loi.xlsx")
    assert result is not None and result.clean
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("cases: 1 rows")
    assert lines[-1].endswith("5 rows checked, 0 problems")
    assert not (tmp_path / "loi.xlsx").exists()


def test_problems_are_printed_in_vietnamese_and_annotated(tmp_path: Path) -> None:
    workbook = load_workbook(io.BytesIO(import_template()))
    workbook["Cuộc thanh tra"]["B2"] = "32/12/2024"
    path = tmp_path / "so-lieu.xlsx"
    workbook.save(path)
    out = io.StringIO()
    report = tmp_path / "loi.xlsx"
    result = run_dry_run(path, "KHONG-CO", False, TODAY, out, report_path=report)
    assert result is not None
    text = out.getvalue()
    assert "Không có cơ quan nào mang mã “KHONG-CO”." in text
    assert "Cuộc thanh tra B2: Ngày này không tồn tại." in text
    assert "2 problems" in text
    annotated = load_workbook(report)
    assert annotated["Cuộc thanh tra"]["B2"].comment.text == "Ngày này không tồn tại."


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.xlsx"
    path.write_text("không phải bảng tính")
    out = io.StringIO()
    assert run_dry_run(path, "TTT", True, TODAY, out) is None
    assert "Không đọc được tệp này" in out.getvalue()


def test_an_xls_is_checked_and_its_annotated_copy_is_an_xlsx(tmp_path: Path) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Cuộc thanh tra")
    for column, header in enumerate(["Số QĐ", "Ngày QĐ", "Tên cuộc thanh tra", "Hình thức"]):
        sheet.write(0, column, header)
    for column, value in enumerate(["03/QĐ-TTr", "29/02/2023", "Thanh tra đất đai", "Đột xuất"]):
        sheet.write(1, column, value)
    path = tmp_path / "cu.xls"
    book.save(str(path))
    out = io.StringIO()
    report = tmp_path / "loi.xlsx"
    result = run_dry_run(path, "TTT", True, TODAY, out, report_path=report)
    assert result is not None
    assert [(p.sheet, p.cell) for p in result.problems] == [("Cuộc thanh tra", "B2")]
    annotated = load_workbook(report)
    assert annotated["Cuộc thanh tra"]["A2"].value == "03/QĐ-TTr"
    assert annotated["Cuộc thanh tra"]["B2"].comment.text == "Ngày này không tồn tại."
