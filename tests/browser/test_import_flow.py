"""A head brings a unit's workbook in, in Chromium: uploads it, reads the dry run's problems,
downloads the annotated copy, uploads the corrected workbook, commits, watches the progress
bar reach 100 % and finds the imported recommendation on the follow-up board. The jobs run
in the real worker (arq, burst mode). Screenshots go to tests/artifacts/import_*.png."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from inspect_app.security import hash_password
from models.tables import AppUser, Inspection
from tests.browser.support import start_burst_worker
from tests.conftest import ARTIFACTS_DIR
from tests.factories import make_tree, make_user
from tests.import_samples.make_samples import write_samples

PASSWORD = "Chanh-thanh-tra-1"


async def _run_jobs(page: Any, done: str, name: str) -> None:
    """Run the queued job in the worker while the page polls, until ``done`` shows."""
    log_path = Path(os.environ["VAR_DIR"]) / f"import_flow_{name}.log"
    with log_path.open("wb") as log:
        worker = start_burst_worker(log)
        try:
            await page.locator(done).wait_for(timeout=90_000)
        finally:
            await asyncio.to_thread(worker.wait, 60)
    assert worker.returncode == 0, log_path.read_text(errors="replace")[-2000:]


async def _shot(page: Any, step: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"import_{step}.png"), full_page=True)


async def test_a_head_imports_a_workbook_and_finds_it_on_the_board(
    page: Any, db: str, redis_url: str, tmp_path: Path
) -> None:
    samples = await asyncio.to_thread(write_samples, tmp_path / "samples")
    tree = await make_tree()
    head = await make_user(tree["A"], "head", "Nguyễn Văn Chánh")
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == head.principal.id
    )
    await page.goto("/login")
    await page.fill("#username", head.principal.username)
    await page.fill("#password", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url("**/")

    await page.click("nav >> text=Nhập liệu")
    await page.wait_for_url("**/imports")
    form = page.locator("[data-testid=import-upload]")
    await form.locator("#f-agency_id").select_option(str(tree["A"]["id"]))
    await form.locator("#f-file").set_input_files(str(samples["problems.xlsx"]))
    await form.locator("button[type=submit]").click()
    await page.wait_for_url("**/imports/*")
    await _run_jobs(page, "[data-testid=import-checked]", "check")
    await _shot(page, "1_problems")
    assert "5 lỗi" in await page.locator("[data-testid=import-problem-count]").inner_text()
    rows = await page.locator("[data-testid=import-problems] tbody tr").all_inner_texts()
    assert rows[0].split("\t") == ["Cuộc thanh tra", "A4", "Mã này đã có ở dòng 2."]
    assert "Thực hiện\tC3\tNgày này không tồn tại." in rows

    async with page.expect_download() as waiting:
        await page.click("[data-testid=import-report]")
    download = await waiting.value
    assert download.suggested_filename == "problems-kiem-tra.xlsx"
    content = await asyncio.to_thread(Path(await download.path()).read_bytes)
    book = load_workbook(io.BytesIO(content))
    assert book["Thực hiện"]["C3"].comment.text.startswith("Ngày này không tồn tại.")

    # Committing without leaving the bad rows out is refused, beside the box to tick.
    await page.click("[data-testid=import-commit]")
    assert "bỏ qua các dòng có lỗi" in await page.locator(".field--error").inner_text()

    # The corrected workbook.
    await page.goto("/imports")
    form = page.locator("[data-testid=import-upload]")
    await form.locator("#f-agency_id").select_option(str(tree["A"]["id"]))
    await form.locator("#f-file").set_input_files(str(samples["clean.xlsx"]))
    await form.locator("button[type=submit]").click()
    await page.wait_for_url("**/imports/*")
    await _run_jobs(page, "[data-testid=import-clean]", "check_clean")
    await page.click("[data-testid=import-commit]")
    await page.locator("[data-testid=import-progress]").wait_for()
    await _run_jobs(page, "[data-testid=import-committed]", "commit")
    assert await page.locator("[data-testid=import-progress-value]").inner_text() == "100%"
    summary = await page.locator("[data-testid=import-summary]").inner_text()
    assert "Cuộc thanh tra\t2 tạo mới" in summary and "Kết quả thực hiện\t4 tạo mới" in summary
    await _shot(page, "2_committed")

    await page.click("[data-testid=import-board]")
    await page.wait_for_url("**/follow-ups")
    board = page.locator("main")
    assert await board.get_by_text("Thu hồi tiền thanh toán khống").count() >= 1
    # 1 tỷ recommended, 500 triệu recovered: 500 triệu left.
    row = page.locator("tr", has_text="Thu hồi tiền thanh toán khống").first
    assert "500.000.000" in await row.locator("[data-testid=follow-up-left]").inner_text()
    await _shot(page, "3_board")

    # The case shows where its records came from: file, sheet, row, SHA-256.
    case = await Inspection.select(Inspection.id).where(Inspection.decision_no == "12/QĐ-TTr")
    await page.goto(f"/inspections/{case[0]['id']}")
    sources = await page.locator("[data-testid=import-sources] tbody").inner_text()
    assert "Cuộc thanh tra\tclean.xlsx\tCuộc thanh tra\t2" in sources
    assert "Kiến nghị\tclean.xlsx\tKiến nghị\t2" in sources
