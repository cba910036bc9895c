"""Four-eyes in Chromium: a case led by an inspector, corrections a head approves.

An inspector named trưởng đoàn takes the case from the announcement to the conclusion and
records a recommendation of 1.000.000.000 ₫ (the lead's steps are theirs on this case). A
lead of the agency asks to reduce it to 900.000.000 ₫ and to write off a second one: on the
measure page the request waits, with no approve button for the lead who asked. A head approves
both on /approvals; the history then names the requester and the approver and reads
"1.000.000.000 ₫ → 900.000.000 ₫". Screenshots at 1366 and 390 px go to tests/artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

from inspect_app.clock import today
from inspect_app.domain.formatting import format_date
from inspect_app.security import hash_password
from models.tables import AppUser, Measure
from tests.browser.support import overflow, record_event, sign_in
from tests.conftest import ARTIFACTS_DIR
from tests.factories import make_inspection, make_subject, make_tree, make_user

PASSWORD = "Thanh-tra-vien-1"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


async def _shot(page: Any, step: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"approval_flow_{step}.png"), full_page=True)


async def _add_measure(page: Any, amount: str, description: str) -> str:
    await page.click("[data-testid=add-measure]")
    await page.select_option("#f-type", "recover_money")
    await page.fill("#f-amount_vnd", amount)
    await page.fill("#f-description", description)
    await page.fill("#f-due_on", format_date(today()))
    await page.click("[data-testid=save]")
    await page.wait_for_url(re.compile(r".*/measures/\d+$"))
    return str(page.url)


async def test_a_case_led_by_an_inspector_and_corrections_a_head_approves(
    page: Any, db: str, redis_url: str
) -> None:
    tree = await make_tree()
    team_lead = await make_user(tree["A"], "inspector", "Phạm Văn Trưởng")
    lead = await make_user(tree["A"], "lead", "Trần Thị Bình")
    head = await make_user(tree["P"], "head", "Lê Văn Duyệt")
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id.is_in([team_lead.id, lead.id, head.id])
    )
    subject = await make_subject("Công ty TNHH Xây dựng Hà Nam", tax_code="0700123456")
    case = await make_inspection(lead, [subject], lead_user_id=team_lead.id, decision_date=today())
    case_url = f"/inspections/{case['id']}"
    await page.set_viewport_size(DESKTOP)

    # 1. The inspector who leads the case takes it from the announcement to the conclusion.
    await sign_in(page, team_lead.principal.username, PASSWORD)
    await page.goto(case_url)
    await record_event(page, "announce")
    await record_event(page, "end_onsite")
    await record_event(page, "conclude", conclusion_no="25/KL-TTr")
    await page.goto(case_url)
    assert await page.locator("[data-testid=case-status]").inner_text() == "Đã kết luận"
    reduce_url = await _add_measure(page, "1.000.000.000", "Thu hồi tiền sử dụng đất")
    await page.goto(case_url)
    write_off_url = await _add_measure(page, "50.000.000", "Thu hồi tiền phạt chậm nộp")
    await _shot(page, "1_concluded_by_team_lead")

    # 2. A lead asks to reduce the first to 900.000.000 ₫: it waits, with no approve button
    #    for the one who asked.
    await sign_in(page, lead.principal.username, PASSWORD)
    await page.goto(reduce_url + "/edit")
    await page.fill("#f-amount_vnd", "900.000.000")
    await page.fill("#f-reason", "Kết luận đính chính số liệu tại Văn bản 12/TTr")
    await page.click("[data-testid=save]")
    await page.wait_for_url(re.compile(r".*/inspections/\d+#approvals$|.*/measures/\d+$"))
    await page.goto(reduce_url)
    request = page.locator("[data-testid=approval]")
    assert await request.count() == 1
    assert "1.000.000.000 ₫ → 900.000.000 ₫" in await request.inner_text()
    assert await page.locator("[data-testid=approve]").count() == 0
    assert await page.locator("[data-testid=withdraw]").count() == 1
    assert "1.000.000.000 ₫" in await page.locator("[data-testid=measure-progress]").inner_text()

    # ... and to write off the second.
    await page.goto(write_off_url)
    await page.fill("#f-written_off_reason", "Doanh nghiệp đã giải thể, không còn tài sản")
    await page.click("[data-testid=ask-write-off]")
    await page.wait_for_url(re.compile(r".*/measures/\d+$"))
    assert await page.locator("[data-testid=measure-status]").inner_text() == "Chưa thực hiện"
    assert await page.locator("[data-testid=approve]").count() == 0
    # Not offered twice while the first request waits.
    assert await page.locator("[data-testid=ask-write-off]").count() == 0
    await _shot(page, "2_write_off_asked_by_lead")

    # 3. The head approves both from the approvals list.
    await sign_in(page, head.principal.username, PASSWORD)
    assert await page.locator("[data-testid=nav-badge]").inner_text() == "2"
    await page.goto("/approvals")
    assert await page.locator("[data-testid=approval]").count() == 2
    listed = await page.locator("[data-testid=approvals]").inner_text()
    assert "Trần Thị Bình" in listed and "Doanh nghiệp đã giải thể" in listed
    await _shot(page, "3_approvals_1366")
    await page.set_viewport_size(PHONE)
    await page.reload()
    assert await overflow(page) == 0
    await _shot(page, "3_approvals_390")
    await page.set_viewport_size(DESKTOP)
    for _ in range(2):
        await page.locator("[data-testid=approve]").first.click()
        await page.wait_for_url(re.compile(r".*/approvals\?status=pending$"))
    assert await page.locator("[data-testid=no-approvals]").count() == 1

    # 4. The records changed, and their history names both people.
    await page.goto(write_off_url)
    assert await page.locator("[data-testid=measure-status]").inner_text() == "Dừng theo dõi"
    await page.goto(reduce_url)
    assert await page.locator("[data-testid=corrected]").count() == 1
    history = await page.locator(".history").inner_text()
    assert "1.000.000.000 ₫ → 900.000.000 ₫" in history
    assert "Trần Thị Bình" in history and "Lê Văn Duyệt" in history
    assert "Kết luận đính chính số liệu" in history
    await _shot(page, "4_history_1366")
    await page.set_viewport_size(PHONE)
    await page.reload()
    assert await overflow(page) == 0
    await _shot(page, "4_history_390")
    amounts = await Measure.select(Measure.amount_vnd, Measure.status).order_by(Measure.id)
    assert amounts == [
        {"amount_vnd": 900_000_000, "status": "open"},
        {"amount_vnd": 50_000_000, "status": "written_off"},
    ]
