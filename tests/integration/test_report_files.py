"""The report files read back: XLSX with openpyxl, PDF through pdftotext, the HTML."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from inspect_app.principal import Principal
from inspect_app.services import report_runner, reports
from jobs.enqueue import close_pools
from models.tables import AppUser
from tests.integration.report_dataset import build_world


@pytest.fixture
async def q1_report(db: str, redis_url: str) -> AsyncIterator[dict[str, Any]]:
    """The province's Q1 2026 report over the hand-built dataset, generated."""
    world = await build_world()
    user = AppUser(
        username="chanh-thanh-tra", full_name="Trần Thị Bình", role="head", agency=world["province"]
    )
    await user.save()
    head = Principal(
        int(user.id),
        user.username,
        user.full_name,
        "head",
        world["province"],
        f"/{world['province']}/",
    )
    report = await reports.request_report(head, world["province"], "2026-Q1")
    await report_runner.generate_report(report["id"])
    done = await reports.get_report(head, report["id"])
    assert done["status"] == "done", done["error"]
    yield done
    await close_pools()


async def _output(command: list[str]) -> str:
    """The standard output of a poppler tool, run off the event loop."""
    result = await asyncio.to_thread(
        subprocess.run, command, check=True, capture_output=True, text=True
    )
    return str(result.stdout)


def _folder(report: dict[str, Any]) -> Path:
    return report_runner.report_folder(report["id"])


async def test_xlsx_headers_merges_numbers_and_formats(q1_report: dict[str, Any]) -> None:
    book = load_workbook(_folder(q1_report) / "report.xlsx")
    assert book.sheetnames == ["01 Thanh tra", "02 Kiểm tra chuyên ngành", "03 Thực hiện kết luận"]

    sheet = book["01 Thanh tra"]
    assert sheet["A1"].value == "THANH TRA TỈNH"
    assert sheet["A2"].value == "TỔNG HỢP KẾT QUẢ THANH TRA"
    assert sheet["A3"].value == "Kỳ báo cáo: Quý I năm 2026 (từ 15/12/2025 đến 14/03/2026)"
    assert (sheet["A6"].value, sheet["B6"].value, sheet["C6"].value) == (
        "STT",
        "Đơn vị",
        "Số cuộc thanh tra",
    )
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A6:A8", "B6:B8", "C6:J6", "C7:C8", "F7:G7", "H7:J7", "M6:N6", "K6:K8"} <= merged
    assert [sheet.cell(7, c).value for c in (3, 4, 5, 6, 8)] == [
        "Tổng số",
        "Kỳ trước chuyển sang",
        "Triển khai trong kỳ",
        "Hình thức",
        "Tiến độ",
    ]
    assert [sheet.cell(8, c).value for c in range(6, 11)] == [
        "Theo kế hoạch",
        "Đột xuất",
        "Kết thúc thanh tra trực tiếp",
        "Đã ban hành kết luận",
        "Đang thực hiện",
    ]
    assert (sheet["M6"].value, sheet["M7"].value, sheet["N7"].value) == (
        "Vi phạm",
        "Tiền (Tr.đ)",
        "Đất (m²)",
    )
    assert sheet["A9"].value == "(1)" and sheet["U9"].value == "(21)"
    assert sheet.freeze_panes == "C10"
    labels = [sheet.cell(r, 2).value for r in range(10, 16)]
    assert labels == [
        "Thanh tra tỉnh (trực tiếp thực hiện)",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Tổng cộng",
        "Cùng kỳ năm 2025",
        "Tăng, giảm so với cùng kỳ (%)",
    ]
    # Sở Xây dựng with the housing office below it, every column.
    assert [sheet.cell(12, c).value for c in range(3, 22)] == [
        3, 1, 2, 1, 2, 1, 1, 1, 2, 1, 1300.000123, 100.25, 1000, 50.5, 200, 1, 3, 1, 2,
    ]  # fmt: skip
    assert sheet["C13"].value == 4 and sheet["C14"].value == 1 and sheet["C15"].value == 300
    assert sheet["O14"].value == 100 and sheet["O15"].value == 900
    assert sheet["M15"].value is None  # no violations last year: no base for a change
    assert isinstance(sheet["M12"].value, float)
    assert sheet["M12"].number_format == "#,##0.000"
    assert sheet["N12"].number_format == "#,##0.00"
    assert sheet["C12"].number_format == "#,##0"

    checks = book["02 Kiểm tra chuyên ngành"]
    assert checks["L6"].value == "Xử phạt vi phạm hành chính"
    assert checks["L7"].value == "Số quyết định xử phạt"
    assert [checks.cell(10, c).value for c in range(2, 18)] == [
        "Sở Tài chính", 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 15, 3, 15, 2, 0,
    ]  # fmt: skip

    implementation = book["03 Thực hiện kết luận"]
    assert implementation["M6"].value == "Xử lý hành chính"
    assert implementation["M7"].value == "Phải xử lý"
    assert implementation["I7"].value == "Tỷ lệ (%)"
    assert [implementation.cell(13, c).value for c in range(2, 18)] == [
        "Tổng cộng", 2, 0, 2, 1500, 600, 700, 46.7, 50.5, 0, 0, 1, 3, 2, 2, 0,
    ]  # fmt: skip
    assert [implementation.cell(14, c).value for c in range(3, 10)] == [
        1, 1, 0, 100, 100, 100, 100,
    ]  # fmt: skip


async def test_pdf_prints_the_vietnamese_headers(q1_report: dict[str, Any]) -> None:
    pdf = _folder(q1_report) / "report.pdf"
    raw = await _output(["pdftotext", str(pdf), "-"])
    text = " ".join(raw.split())  # headers wrap inside their narrow cells
    for phrase in (
        "BÁO CÁO CÔNG TÁC THANH TRA",
        "TỔNG HỢP KẾT QUẢ THANH TRA",
        "Kỳ trước chuyển sang",
        "Đã ban hành kết luận",
        "TỔNG HỢP KẾT QUẢ KIỂM TRA CHUYÊN NGÀNH VÀ XỬ PHẠT VI PHẠM HÀNH CHÍNH",
        "TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾT LUẬN THANH TRA",
        "Sở Xây dựng",
        "1.300,000",
        "Trong kỳ đã triển khai 4 cuộc thanh tra",
    ):
        assert phrase in text, phrase
    fonts = await _output(["pdffonts", str(pdf)])
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all("DejaVu" in line for line in font_lines)
    assert all(" yes " in line for line in font_lines)  # embedded
    info = await _output(["pdfinfo", str(pdf)])
    assert "841.89 x 595.276 pts (A4)" in info  # landscape: wider than tall


async def test_html_is_printable_with_tables_and_charts(q1_report: dict[str, Any]) -> None:
    html = (_folder(q1_report) / "report.html").read_text(encoding="utf-8")
    assert "@page { size: A4 landscape" in html
    assert '<th scope="col" colspan="8">Số cuộc thanh tra</th>' in html
    assert '<th scope="col" rowspan="2">Tổng số</th>' in html
    assert html.count("<svg") == 2
    assert "Q1/2026" in html  # the trend's last quarter
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
