"""A citizen's tip from a phone to an inspection, in Chromium: an anonymous tip with a photo
from a 390 px window gets a code; an inspector logs a hotline call; a lead turns the first
into an ad-hoc inspection and rejects the second with a reason; the citizen's page shows
"Đã tiếp nhận", then "Đã chuyển thành cuộc thanh tra", never a staff name; the case links
back to the tip. Screenshots go to tests/artifacts/tip_*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_app.security import hash_password
from models.tables import AppUser
from tests.conftest import ARTIFACTS_DIR
from tests.factories import make_tree, make_user

PASSWORD = "Chanh-thanh-tra-1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


async def _shot(page: Any, step: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"tip_{step}.png"), full_page=True)


async def _sign_in(page: Any, username: str) -> None:
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url("**/")


async def test_a_tip_from_a_phone_becomes_an_inspection(
    page: Any, db: str, redis_url: str, tmp_path: Path
) -> None:
    tree = await make_tree()
    lead = await make_user(tree["P"], "lead", "Trần Văn Trưởng")
    clerk = await make_user(tree["P"], "inspector", "Phạm Thị Tiếp Nhận")
    for user in (lead, clerk):
        await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
            AppUser.id == user.principal.id
        )
    photo = tmp_path / "hien-truong.png"
    photo.write_bytes(PNG)

    # The citizen, on a phone, signed in nowhere.
    await page.set_viewport_size(PHONE)
    await page.goto("/public/tips/new")
    assert (
        await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        == 0
    )
    await page.select_option("#f-agency_id", str(tree["P"]["id"]))
    await page.check("input[name=kind][value=feedback]")
    await page.fill("#f-content", "Xe tải chở vật liệu xây dựng đổ trộm xuống kênh lúc nửa đêm.")
    await page.fill("#f-place", "Kênh Đông, xã Tân Dân")
    await page.set_input_files("#f-files", str(photo))
    assert await page.is_checked("[data-testid=tip-anonymous]")
    await page.click("[data-testid=tip-submit]")
    code = (await page.locator("[data-testid=tip-code]").inner_text()).strip()
    assert len(code) == 10
    await _shot(page, "1_code")
    await page.click("[data-testid=tip-status-link]")
    assert await page.locator("[data-testid=tip-status]").inner_text() == "Đã tiếp nhận"
    cookies = await page.context.cookies()
    assert not [c for c in cookies if c["name"] in ("session", "csrftoken")]

    # The clerk logs a hotline call.
    await page.set_viewport_size(DESKTOP)
    await _sign_in(page, clerk.principal.username)
    await page.goto("/tips/new")
    await page.select_option("#f-channel", "hotline")
    await page.check("input[name=kind][value=feedback]")
    await page.fill("#f-content", "Người gọi phản ánh tiếng ồn của quán karaoke.")
    await page.click("[data-testid=tip-submit]")
    await page.wait_for_url("**/tips/*")
    call_code = (await page.locator("[data-testid=tip-code]").inner_text()).strip()
    # The clerk sees no decision buttons.
    assert await page.locator("[data-testid=tip-decisions]").count() == 0

    # The lead decides both.
    await page.context.clear_cookies()
    await _sign_in(page, lead.principal.username)
    await page.goto("/tips")
    await page.click(f"text={code}")
    await page.click("[data-testid=tip-accept] >> xpath=.. >> summary")
    # The tip names nobody: the lead names the subject of the inspection.
    await page.fill("#f-accepted-subject_name", "Công ty TNHH Vận tải Tân Dân")
    await page.click("[data-testid=tip-accept] button[type=submit]")
    await page.wait_for_url("**/inspections/*")
    await _shot(page, "2_case")
    link = page.locator("[data-testid=case-tip]")
    assert code in await link.inner_text()
    await page.goto("/tips")
    await page.click(f"text={call_code}")
    await page.click("[data-testid=tip-reject] >> xpath=.. >> summary")
    await page.click("[data-testid=tip-reject] button[type=submit]")
    assert "Trường này là bắt buộc." in await page.locator("[data-testid=tip-reject]").inner_text()
    await page.fill("#f-rejected-reason", "Không thuộc thẩm quyền của Thanh tra.")
    await page.click("[data-testid=tip-reject] button[type=submit]")
    assert await page.locator("[data-testid=tip-status]").inner_text() == "Không thụ lý"

    # The citizen's page again: the new status, and no staff name.
    await page.context.clear_cookies()
    await page.set_viewport_size(PHONE)
    await page.goto(f"/public/tips/{code}")
    assert (
        await page.locator("[data-testid=tip-status]").inner_text()
        == "Đã chuyển thành cuộc thanh tra"
    )
    text = await page.locator("main").inner_text()
    assert "Trần Văn Trưởng" not in text and "Phạm Thị Tiếp Nhận" not in text
    await _shot(page, "3_status")
