"""A head reads the follow-up board in Chromium: what is left of each recommendation, the
unit's sums, and the same board on a phone without sideways scrolling; then reminds a unit
by letter (công văn đôn đốc), and a user of that unit finds it among their notifications.
Screenshots at 1366 and 390 px go to tests/artifacts/board_*.png and reminder_*.png."""

from __future__ import annotations

import asyncio
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from inspect_app.clock import today
from inspect_app.security import hash_password
from models.tables import Agency, AppUser, Measure
from tests.conftest import ARTIFACTS_DIR
from tests.integration.jobs_support import build_jobs_world

PASSWORD = "Chanh-thanh-tra-1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


async def _overflow(page: Any) -> int:
    return int(
        await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


async def _sign_in(page: Any, user_id: int) -> None:
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == user_id
    )
    row = await AppUser.select(AppUser.username).where(AppUser.id == user_id).first()
    await page.context.clear_cookies()
    await page.goto("/login")
    await page.fill("#username", row["username"])
    await page.fill("#password", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(re.compile(r".*/$"))


async def _half_paid(w: Any) -> Measure:
    """1 tỷ to recover for Sở Tài chính, half paid, 12 days late."""
    measure = Measure(
        inspection=w.concluded,
        type="recover_money",
        description="Thu hồi tiền sử dụng đất nộp thiếu của Công ty TNHH Hòa Bình",
        amount_vnd=1_000_000_000,
        done_vnd=500_000_000,
        status="partial",
        responsible_agency=w.finance,
        due_on=today() - timedelta(days=12),
    )
    await measure.save()
    return measure


async def test_a_head_sees_what_is_left_on_the_board_at_desk_and_on_a_phone(
    page: Any, db: str, redis_url: str
) -> None:
    w = await build_jobs_world()
    half_paid = await _half_paid(w)
    await page.set_viewport_size(DESKTOP)
    await _sign_in(page, w.head)

    await page.goto("/follow-ups")
    row = page.locator("tr", has=page.locator(f'a[href="/measures/{half_paid.id}"]'))
    left = await row.locator("[data-testid=follow-up-left]").inner_text()
    assert "500.000.000" in left and "₫" in left
    assert await row.locator("[data-testid=measure-status]").inner_text() == "Thực hiện một phần"
    figures = await page.locator("[data-testid=follow-up-summary]").inner_text()
    assert "Tiền còn phải thu hồi" in figures and "620.000.000" in figures
    assert "<span" not in figures  # markup is rendered, never shown as text
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / "board_1366.png"), full_page=True)

    assert await page.locator("details.filters-fold").get_attribute("open") is not None

    await page.set_viewport_size(PHONE)
    await page.reload()
    assert await _overflow(page) == 0
    # The filters fold behind one button; it opens them.
    fold = page.locator("details.filters-fold")
    assert await fold.get_attribute("open") is None
    assert not await page.locator("#f-state").is_visible()
    await fold.locator("summary").click()
    assert await page.locator("#f-state").is_visible()
    # On a phone the "₫" never sits alone on a line: the amount does not wrap.
    strong = row.locator("[data-testid=follow-up-left] strong")
    lines = await strong.evaluate(
        "el => Math.round(el.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(el).lineHeight))"
    )
    assert lines == 1
    await page.screenshot(path=str(ARTIFACTS_DIR / "board_390.png"), full_page=True)

    # The other lists a head reads on the road, and the dashboard with its charts: nothing
    # wider than the phone; list rows become cards (one cell under the other).
    for path, shot in (
        ("/", "dashboard"),
        ("/inspections", "inspections"),
        ("/subjects", "subjects"),
    ):
        await page.goto(path)
        assert await _overflow(page) == 0, path
        if path != "/":  # the lists' filters fold behind one button too
            assert await page.locator("details.filters-fold").get_attribute("open") is None
        await page.screenshot(path=str(ARTIFACTS_DIR / f"{shot}_390.png"), full_page=True)
    await page.goto("/inspections")
    cells = page.locator("table tbody tr").first.locator("td")
    assert await cells.count() > 1
    first = await cells.nth(0).bounding_box()
    second = await cells.nth(1).bounding_box()
    assert first and second and second["y"] > first["y"]  # stacked, not side by side


async def _pdf_text(path: Path) -> str:
    result = await asyncio.to_thread(
        subprocess.run,
        ["pdftotext", "-raw", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return " ".join(str(result.stdout).split())


async def test_a_head_reminds_a_unit_by_letter_and_the_unit_sees_it(
    page: Any, db: str, tmp_path: Path
) -> None:
    w = await build_jobs_world()
    half_paid = await _half_paid(w)
    await Agency.update(
        {Agency.doc_symbol: "TTr", Agency.place_name: "Hạ Long", Agency.signer_name: "Lê Văn An"}
    ).where(Agency.id == w.province)
    await page.set_viewport_size(DESKTOP)
    await _sign_in(page, w.head)

    await page.goto("/follow-ups")
    row = page.locator("tr", has=page.locator(f'a[href="/measures/{half_paid.id}"]'))
    assert "còn lại 500.000.000 ₫" in " ".join(
        (await row.locator("[data-testid=follow-up-left]").inner_text()).split()
    )
    group = page.locator("[data-testid=follow-up-group]", has_text="Sở Tài chính")
    assert (
        "620.000.000 ₫" in await group.locator("[data-testid=follow-up-group-figures]").inner_text()
    )

    # Two rows ticked, then the draft: both listed, dated today.
    await row.locator("[data-testid=remind-check]").check()
    fixture_row = page.locator("tr", has=page.locator(f'a[href="/measures/{w.measure}"]'))
    await fixture_row.locator("[data-testid=remind-check]").check()
    await page.click("[data-testid=remind-selected]")
    await page.wait_for_url(re.compile(r".*/follow-ups/reminders/new\?.*"))
    assert await page.locator("[data-testid=letter-item]").count() == 2
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / "reminder_draft_1366.png"), full_page=True)
    await page.click("[data-testid=issue-letter]")
    await page.wait_for_url(re.compile(r".*/reminders/\d+$"))
    assert await page.locator("[data-testid=letter-addressee]").inner_text() == "Sở Tài chính"
    await page.screenshot(path=str(ARTIFACTS_DIR / "reminder_letter_1366.png"), full_page=True)

    async with page.expect_download() as pdf_info:
        await page.click("[data-testid=letter-pdf]")
    pdf_path = tmp_path / "letter.pdf"
    await (await pdf_info.value).save_as(pdf_path)
    text = await _pdf_text(pdf_path)
    for expected in (
        "Số: 01/TTr",
        "Kính gửi: Sở Tài chính.",
        "Thu hồi tiền sử dụng đất nộp thiếu của Công ty TNHH Hòa Bình",
        "Thu hồi 120.000.000 đ về ngân sách",
        "500.000.000 ₫",
        "120.000.000 ₫",
        "Lê Văn An",
    ):
        assert expected in text, expected

    # The board says it was reminded, on a phone too.
    await page.goto("/follow-ups")
    reminded = await row.locator("[data-testid=follow-up-reminded]").inner_text()
    assert reminded == f"đã đôn đốc 1 lần, lần cuối {today():%d/%m/%Y}"
    await page.set_viewport_size(PHONE)
    await page.reload()
    assert await _overflow(page) == 0
    await page.screenshot(path=str(ARTIFACTS_DIR / "reminder_board_390.png"), full_page=True)

    # A lead of Sở Tài chính signs in: the letter is in their notifications, and opens.
    await _sign_in(page, w.finance_lead)
    await page.goto("/notifications")
    notice = page.locator("[data-testid=notifications] li", has_text="Công văn đôn đốc số 01/TTr")
    assert await notice.count() == 1
    await page.screenshot(path=str(ARTIFACTS_DIR / "reminder_notice_390.png"), full_page=True)
    await notice.locator("button").click()
    await page.wait_for_url(re.compile(r".*/reminders/\d+$"))
    assert await page.locator("[data-testid=letter-items] tbody tr").count() == 2
    assert await _overflow(page) == 0
