"""An ad-hoc case from a hotline report, from registration to publication, in Chromium.

An inspector registers the case, announces it, records a finding, a recovery of
248.500.000 ₫ and a first payment; a lead ends the on-site work, concludes and publishes. The
case page then shows the status, the legal deadlines and what remains to recover. Each step
is kept as a screenshot in tests/artifacts/case_flow_*.png; one step is also checked at a
phone's width (390×844) for sideways overflow.
"""

from __future__ import annotations

import re
from typing import Any

from inspect_app.clock import today
from inspect_app.domain.formatting import format_date
from inspect_app.security import hash_password
from models.tables import AppUser, Inspection, Measure
from tests.browser.support import overflow, record_event, sign_in
from tests.conftest import ARTIFACTS_DIR
from tests.factories import make_subject, make_tree, make_user

PASSWORD = "Thanh-tra-vien-1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def _shot(page: Any, step: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"case_flow_{step}.png"), full_page=True)


async def test_inspector_and_lead_take_a_hotline_case_to_publication(
    page: Any, db: str, redis_url: str
) -> None:
    tree = await make_tree()
    inspector = await make_user(tree["A"], "inspector", "Nguyễn Văn An")
    lead = await make_user(tree["A"], "lead", "Trần Thị Bình")
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id.is_in([inspector.id, lead.id])
    )
    subject_id = await make_subject("Công ty TNHH Xây dựng Hà Nam", tax_code="0700123456")
    await page.set_viewport_size(DESKTOP)

    # 1. The inspector registers an ad-hoc case from a hotline report.
    await sign_in(page, inspector.principal.username, PASSWORD)
    await page.goto("/inspections/new")
    await page.select_option("#f-origin", "ad_hoc")
    await page.select_option("#f-origin_source", "hotline")
    await page.fill("#f-origin_ref", "ĐDN-2026/117")
    await page.fill("#f-title", "Thanh tra đột xuất việc san lấp mặt bằng tại xã Liêm Tuyền")
    await page.fill("#f-decision_no", "15/QĐ-TTr")
    await page.fill("#f-decision_date", format_date(today()))
    await page.fill("#f-subject_q", "ha nam")  # no accents: found all the same
    await page.click("[data-testid=find-subjects]")
    await page.check(f"input[name=subject_ids][value='{subject_id}']")
    await _shot(page, "1_new_case_form")
    await page.click("[data-testid=save]")
    await page.wait_for_url(re.compile(r".*/inspections/\d+$"))
    case_url = page.url
    assert await page.locator("[data-testid=case-status]").inner_text() == "Dự thảo"
    case = await Inspection.select().first()
    assert case is not None
    assert (case["origin"], case["origin_source"], case["origin_ref"]) == (
        "ad_hoc",
        "hotline",
        "ĐDN-2026/117",
    )

    # 2. Announcing the decision starts the legal clock.
    await record_event(page, "announce")
    assert await page.locator("[data-testid=case-status]").inner_text() == (
        "Đang thanh tra trực tiếp"
    )
    onsite = page.locator("[data-testid=deadline-onsite_due]")
    assert "còn 44 ngày" in await onsite.inner_text()
    await _shot(page, "2_announced")

    # 3. A finding about the enterprise.
    await page.click("[data-testid=add-finding]")
    await page.select_option("#f-subject_id", str(subject_id))
    await page.select_option("#f-category", "land")
    await page.fill("#f-description", "San lấp mặt bằng khi chưa được giao đất")
    await page.fill("#f-amount_vnd", "248.500.000")
    await page.click("[data-testid=save]")
    await page.wait_for_url(re.compile(r".*/inspections/\d+#findings$"))
    assert "248.500.000 ₫" in await page.locator("[data-testid=findings]").inner_text()
    await _shot(page, "3_finding")

    # 4. A recommendation to recover 248.500.000 ₫, and a first payment of 100.000.000 ₫.
    await page.click("[data-testid=add-measure]")
    await page.select_option("#f-type", "recover_money")
    await page.fill("#f-amount_vnd", "248.500.000")
    await page.fill("#f-description", "Thu hồi về ngân sách nhà nước số tiền vi phạm")
    await page.fill("#f-responsible", "Công ty TNHH Xây dựng Hà Nam")
    await page.click("[data-testid=save]")
    await page.wait_for_url(re.compile(r".*/measures/\d+$"))
    await page.fill("#f-amount_vnd", "100.000.000")
    await page.fill("#f-document_no", "GNT-0451")
    await page.click("[data-testid=save-execution]")
    await page.wait_for_url(re.compile(r".*/measures/\d+$"))
    assert await page.locator("[data-testid=measure-left]").inner_text() == "148.500.000 ₫"
    assert await page.locator("[data-testid=measure-status]").inner_text() == ("Thực hiện một phần")
    await _shot(page, "4_partial_recovery")

    # The same page on a phone: nothing wider than the screen.
    await page.set_viewport_size(PHONE)
    await page.reload()
    assert await overflow(page) == 0
    await _shot(page, "4_partial_recovery_phone")
    await page.goto(case_url)
    assert await overflow(page) == 0
    await _shot(page, "4_case_phone")
    await page.set_viewport_size(DESKTOP)

    # 5. The lead ends the on-site work, concludes and publishes.
    await sign_in(page, lead.principal.username, PASSWORD)
    await page.goto(case_url)
    await record_event(page, "end_onsite", document_no="BB-01/2026")
    await record_event(page, "conclude", conclusion_no="25/KL-TTr")
    # The public version first (the publish step is refused without one).
    await page.goto(case_url)
    await page.fill("#f-pub-summary", "Kết luận thanh tra việc quản lý ngân sách.")
    await page.fill("#f-pub-text", "Toàn văn kết luận, trừ bí mật nhà nước.")
    await page.click("[data-testid=publication-save]")
    await page.wait_for_url(re.compile(r".*/inspections/\d+#publication$"))
    await record_event(page, "publish", document_no="TB-30/2026")
    await page.goto(case_url)

    assert await page.locator("[data-testid=case-status]").inner_text() == "Đã kết luận"
    deadlines = page.locator("[data-testid=deadlines]")
    for key in ("onsite_due", "conclusion_due", "publication_due"):
        assert (
            "đã thực hiện ngày"
            in await deadlines.locator(f"[data-testid=deadline-{key}]").inner_text()
        )
    directive = await deadlines.locator("[data-testid=deadline-directive_due]").inner_text()
    # Within 15 days of the conclusion, signed today.
    assert "còn 15 ngày" in directive
    assert await page.locator("[data-testid=recover-left]").inner_text() == "148.500.000 ₫"
    timeline = await page.locator("[data-testid=timeline]").inner_text()
    for label in (
        "Công bố quyết định",
        "Kết thúc thanh tra trực tiếp",
        "Ban hành kết luận",
        "Công khai kết luận",
    ):
        assert label in timeline
    # Published and concluded: what remains is the directive, which only a lead offers.
    actions = await page.locator("[data-testid=case-actions] summary").all_inner_texts()
    assert actions == ["Chỉ đạo thực hiện"]
    await _shot(page, "5_published")
    measure = await Measure.select().first()
    assert measure is not None and (measure["done_vnd"], measure["status"]) == (
        100_000_000,
        "partial",
    )
