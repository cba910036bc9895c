"""A head requests the Q1 report, watches it progress, downloads it and signs it off."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook

from inspect_app.security import hash_password
from models.tables import AppUser, Execution
from tests.integration.report_dataset import build_world

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Chanh-thanh-tra-1"


def _start_worker(log: IO[bytes]) -> subprocess.Popen[bytes]:
    """The real background worker (arq, burst mode: it exits once the queue is empty)."""
    return subprocess.Popen(
        [sys.executable, "-m", "inspect_app.cli", "worker", "--burst"],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


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
    await form.locator("#f-year").fill("2026")
    await form.locator("#f-kind").select_option("Q1")
    await form.locator("button[type=submit]").click()
    await page.wait_for_url("**/reports/*")
    # Queued: the page shows the progress bar and polls until the job is done.
    await page.locator("[data-testid=report-progress]").wait_for()

    log_path = Path(os.environ["VAR_DIR"]) / "report_flow_worker.log"
    with log_path.open("wb") as log:
        worker = _start_worker(log)
        try:
            await page.locator("[data-testid=report-done]").wait_for(timeout=90_000)
        finally:
            await asyncio.to_thread(worker.wait, 60)
    assert worker.returncode == 0, log_path.read_text(errors="replace")[-2000:]

    # The figures on the page: Sở Xây dựng's row and the total of table 1.
    table1 = page.locator("table.figures[data-table='1']")
    construction_row = table1.locator("tr", has_text="Sở Xây dựng")
    cells = await construction_row.locator("td").all_inner_texts()
    assert cells[1:4] == ["3", "1", "2"]
    assert "1.300,000" in cells
    total_row = page.locator("table.figures[data-table='3'] tr.figures__row--total")
    total_cells = await total_row.locator("td").all_inner_texts()
    assert total_cells[1:9] == ["2", "0", "2", "1.500,000", "600,000", "700,000", "46,7", "50,50"]
    assert await page.locator(".report-charts svg").count() == 2

    async with page.expect_download() as xlsx_info:
        await page.click("[data-testid=download-xlsx]")
    xlsx_path = tmp_path / "report.xlsx"
    await (await xlsx_info.value).save_as(xlsx_path)
    sheet = load_workbook(xlsx_path)["01 Thanh tra"]
    assert sheet["C6"].value == "Số cuộc thanh tra"
    assert sheet["C13"].value == 4

    async with page.expect_download() as pdf_info:
        await page.click("[data-testid=download-pdf]")
    pdf_path = tmp_path / "report.pdf"
    await (await pdf_info.value).save_as(pdf_path)
    text = await _output(["pdftotext", str(pdf_path), "-"])
    assert "TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾT LUẬN THANH TRA" in " ".join(text.split())

    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await page.click("[data-testid=sign-off]")
    await page.locator("[data-testid=report-signed]").wait_for()
    assert await page.locator("[data-testid=sign-off]").count() == 0
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
