"""A head reads the follow-up board in Chromium: what is left of each recommendation, the
unit's sums, and the same board on a phone without sideways scrolling. Screenshots at 1366
and 390 px go to tests/artifacts/board_*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from inspect_app.clock import today
from inspect_app.security import hash_password
from models.tables import AppUser, Measure
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


async def test_a_head_sees_what_is_left_on_the_board_at_desk_and_on_a_phone(
    page: Any, db: str, redis_url: str
) -> None:
    w = await build_jobs_world()
    half_paid = Measure(
        inspection=w.concluded,
        type="recover_money",
        description="Thu hồi tiền sử dụng đất nộp thiếu của Công ty TNHH Hòa Bình",
        amount_vnd=1_000_000_000,
        done_vnd=500_000_000,
        status="partial",
        responsible_agency=w.finance,
        due_on=today() - timedelta(days=12),
    )
    await half_paid.save()
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == w.head
    )
    username = (await AppUser.select(AppUser.username).where(AppUser.id == w.head))[0]
    await page.set_viewport_size(DESKTOP)
    await page.goto("/login")
    await page.fill("#username", username["username"])
    await page.fill("#password", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(re.compile(r".*/$"))

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
