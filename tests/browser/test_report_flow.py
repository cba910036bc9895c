"""A head requests the Q1 report, watches it progress, downloads it and signs it off.

The period is chosen from the list (each period with its dates); after sign-off the page
shows the document number and the SHA-256 of each file, and the PDF names the signer. Each
step is kept as a screenshot in tests/artifacts/report_flow_*.png.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from inspect_app.security import hash_password
from models.tables import Agency, AppUser, Execution
from tests.browser.support import start_burst_worker
from tests.conftest import ARTIFACTS_DIR
from tests.integration.report_dataset import build_world

PASSWORD = "Chanh-thanh-tra-1"


async def _shot(page: Any, step: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"report_flow_{step}.png"), full_page=True)


async def _output(command: list[str]) -> str:
    """The standard output of a poppler tool, run off the event loop."""
    result = await asyncio.to_thread(
        subprocess.run, command, check=True, capture_output=True, text=True
    )
    return str(result.stdout)


async def test_head_generates_downloads_and_signs_off_the_q1_report(
    page: Any, db: str, redis_url: str, tmp_path: Path
) -> None:
    world = await build_world()
    await Agency.update(
        {
            Agency.doc_symbol: "TTr",
            Agency.place_name: "Hạ Long",
            Agency.head_title: "Chánh Thanh tra",
        }
    ).where(Agency.id == world["province"])
    await AppUser(
        username="chanh.thanh.tra",
        full_name="Trần Thị Bình",
        role="head",
        agency=world["province"],
        password_hash=hash_password(PASSWORD),
    ).save()

    await page.goto("/login")
    await page.fill("#username", "chanh.thanh.tra")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/")

    await page.goto("/reports")
    form = page.locator("[data-testid=report-request]")
    await form.locator("#f-agency_id").select_option(str(world["province"]))
    period = form.locator("#f-period")
    option = period.locator("option[value='2026-Q1']")
    assert await option.inner_text() == "Quý I năm 2026 (15/12/2025 – 14/03/2026)"
    await period.select_option("2026-Q1")
    await _shot(page, "1_request")
    await form.locator("button[type=submit]").click()
    await page.wait_for_url("**/reports/*")
    # Queued: the page shows the progress bar and polls until the job is done.
    await page.locator("[data-testid=report-progress]").wait_for()

    log_path = Path(os.environ["VAR_DIR"]) / "report_flow_worker.log"
    with log_path.open("wb") as log:
        worker = start_burst_worker(log)
        try:
            await page.locator("[data-testid=report-done]").wait_for(timeout=90_000)
        finally:
            await asyncio.to_thread(worker.wait, 60)
    assert worker.returncode == 0, log_path.read_text(errors="replace")[-2000:]
    await _shot(page, "2_generated")

    # The figures on the page: Sở Xây dựng's row and the total of table 1.
    table1 = page.locator("table.figures[data-table='1']")
    construction_row = table1.locator("tr", has_text="Sở Xây dựng")
    cells = await construction_row.locator("td").all_inner_texts()
    assert cells[1:4] == ["3", "1", "2"]
    # The total comes first, under the column numbers, as on the forms.
    first_row = table1.locator("tbody tr").first
    assert "Tổng cộng" in await first_row.inner_text()
    assert "1.300,000" in cells
    total_row = page.locator("table.figures[data-table='3'] tr.figures__row--total")
    total_cells = await total_row.locator("td").all_inner_texts()
    assert total_cells[1:9] == ["2", "0", "2", "1.500,000", "600,000", "700,000", "46,7", "50,50"]
    assert await page.locator(".report-charts svg").count() == 2

    # Each figure leads to the records it counts: Sở Xây dựng's three inspections.
    report_url = page.url
    await construction_row.locator("td").nth(1).locator("a[data-figure]").click()
    await page.wait_for_url("**/figures?*")
    assert "3 hồ sơ" in await page.locator("[data-testid=figure-summary]").inner_text()
    assert await page.locator("[data-testid=figure-records] tbody tr").count() == 3
    heading = await page.locator("h1").inner_text()
    assert heading.endswith("Tổng số"), heading
    await _shot(page, "2b_figure_records")
    await page.goto(report_url)
    await page.locator("[data-testid=report-done]").wait_for()

    async with page.expect_download() as xlsx_info:
        await page.click("[data-testid=download-xlsx]")
    xlsx_path = tmp_path / "report.xlsx"
    await (await xlsx_info.value).save_as(xlsx_path)
    book = load_workbook(xlsx_path, data_only=True)
    assert book.sheetnames[0] == "Thuyết minh"
    sheet = book["01 Thanh tra"]
    total = next(r for r in range(1, 40) if sheet.cell(r, 2).value == "Tổng cộng")
    assert sheet.cell(total, 3).value == 4  # the cached value of =SUM(...)

    async with page.expect_download() as pdf_info:
        await page.click("[data-testid=download-pdf]")
    pdf_path = tmp_path / "report.pdf"
    await (await pdf_info.value).save_as(pdf_path)
    # -raw keeps the order the PDF draws: a signature block's title lines, then the name.
    text = " ".join((await _output(["pdftotext", "-raw", str(pdf_path), "-"])).split())
    assert "TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾT LUẬN THANH TRA" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "DỰ THẢO" in text
    assert "CHÁNH THANH TRA Trần Thị Bình" not in text  # she prepared it; nobody signed

    sign_off = page.locator("[data-testid=sign-off-form]")
    assert await sign_off.locator("#f-signer_name").input_value() == "Trần Thị Bình"
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await page.click("[data-testid=sign-off]")
    await page.locator("[data-testid=report-signed]").wait_for()
    assert await page.locator("[data-testid=sign-off]").count() == 0
    document = await page.locator("[data-testid=report-document]").inner_text()
    assert "Số: 01/BC-TTr" in document and "Trần Thị Bình" in document
    await page.locator("[data-testid=file-digests] summary").click()
    digest = await page.locator("[data-testid=file-digests] code[data-file=pdf]").inner_text()
    await _shot(page, "3_signed")
    async with page.expect_download() as signed_info:
        await page.click("[data-testid=download-pdf]")
    signed_pdf = tmp_path / "signed.pdf"
    await (await signed_info.value).save_as(signed_pdf)
    assert hashlib.sha256(signed_pdf.read_bytes()).hexdigest() == digest
    text = " ".join((await _output(["pdftotext", "-raw", str(signed_pdf), "-"])).split())
    assert "CHÁNH THANH TRA Trần Thị Bình" in text and "DỰ THẢO" not in text
    report_url = page.url

    # Later, 150 million more is recovered within Q1: the signed report does not move...
    await Execution(
        measure=world["m1"], executed_on=date(2026, 3, 5), amount_vnd=150_000_000
    ).save()
    await page.goto(report_url)
    total_cells = await total_row.locator("td").all_inner_texts()
    assert total_cells[5:7] == ["600,000", "700,000"]
    report_id = report_url.rstrip("/").rsplit("/", 1)[1]
    frozen = await page.request.get(f"/api/reports/{report_id}")
    assert (await frozen.json())["totals"]["implementation"]["recovered_vnd"] == 600_000_000
    # ... while the live totals do.
    live = await page.request.get(
        f"/api/totals?agency_id={world['province']}&period=2026-Q1&include_sub=true"
    )
    assert (await live.json())["implementation"]["recovered_vnd"] == 750_000_000
