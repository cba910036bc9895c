"""A head publishes a conclusion, in Chromium: prepares its public version on the case page,
publishes it; a citizen finds it on the portal (searching without diacritics) and in the
agency's Atom feed; a crawl of the public pages and the feed, and direct requests for the
internal file's id, never reach the signed file or the case's own fields. Screenshots go
to tests/artifacts/publication_*.png."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from inspect_app.security import hash_password
from models.tables import AppUser, Attachment, Inspection, InspectionSubject
from tests.conftest import ARTIFACTS_DIR
from tests.factories import make_subject, make_tree, make_user

PASSWORD = "Chanh-thanh-tra-1"
SECRET = "ZZNOIBOZZ phạm vi nội bộ"
PDF = b"%PDF-1.4\n% ban cong khai\n"


async def _shot(page: Any, step: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS_DIR / f"publication_{step}.png"), full_page=True)


async def test_a_head_publishes_and_nothing_internal_leaks(
    page: Any, db: str, redis_url: str, tmp_path: Path
) -> None:
    tree = await make_tree()
    head = await make_user(tree["A"], "head", "Đỗ Văn Chánh")
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == head.principal.id
    )
    today = date.today()
    case = Inspection(
        code="TT-2026-000777",
        agency=tree["A"]["id"],
        origin="scheduled",
        title="Thanh tra việc quản lý, sử dụng đất công tại xã Đồng Lâm",
        scope=SECRET,
        decision_no="40/QĐ-TTr",
        decision_date=date(today.year, 1, 5) if today.month > 2 else today,
        announced_on=date(today.year, 1, 8) if today.month > 2 else today,
        onsite_ended_on=date(today.year, 2, 20) if today.month > 2 else today,
        conclusion_no="55/KL-TTr",
        concluded_on=today,
        status="concluded",
    )
    await case.save()
    subject = await make_subject("Công ty Cổ phần Đồng Lâm", tax_code="5709876543")
    await InspectionSubject(inspection=case.id, subject=subject).save()
    internal = Attachment(
        entity_type="inspection",
        entity_id=case.id,
        filename="ket-luan-ban-ky-so.pdf",
        content_type="application/pdf",
        size=12,
        sha256="0" * 64,
        storage_name="internal-signed",
        agency=tree["A"]["id"],
    )
    await internal.save()
    # The signed file really exists, with a marker no public answer may carry.
    from inspect_app.services.attachments import _storage_path

    stored = _storage_path("internal-signed")
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"%PDF-1.4 INTERNAL-SIGNED-MARKER")
    pdf = tmp_path / "ket-luan-cong-khai.pdf"
    pdf.write_bytes(PDF)

    await page.goto("/login")
    await page.fill("#username", head.principal.username)
    await page.fill("#password", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url("**/")
    case_url = f"/inspections/{case.id}"
    await page.goto(case_url)
    await page.fill("#f-pub-summary", "Kết luận: xã Đồng Lâm giao đất công trái thẩm quyền.")
    await page.fill("#f-pub-text", "Toàn văn kết luận công khai, đã lược bỏ nội dung bí mật.")
    await page.set_input_files("#f-pub-file", str(pdf))
    await page.click("[data-testid=publication-save]")
    await page.wait_for_url(re.compile(r".*#publication$"))
    form = page.locator("details[data-event=publish]")
    await form.locator("summary").click()
    await form.locator("[data-testid=submit-publish]").click()
    await page.wait_for_url(re.compile(r".*/inspections/\d+#timeline$"))
    live = await page.locator("[data-testid=publication-live]").inner_text()
    assert "/public/conclusions/" in live
    await _shot(page, "1_case")

    # A citizen, with no cookie at all.
    await page.context.clear_cookies()
    await page.goto("/public/conclusions?q=dong lam")
    await page.click("text=55/KL-TTr")
    detail = await page.locator("[data-testid=conclusion]").inner_text()
    assert "giao đất công trái thẩm quyền" in detail and "Công ty Cổ phần Đồng Lâm" in detail
    await _shot(page, "2_portal")
    response = await page.request.get(
        await page.locator("[data-testid=conclusion-file]").get_attribute("href")
    )
    assert response.ok and await response.body() == PDF
    feed = await page.request.get("/public/feeds/A")
    assert "55/KL-TTr" in await feed.text()

    # The crawl: every public page and the feed.
    seen: set[str] = set()
    queue = ["/public", "/public/conclusions", "/public/feeds/A"]
    while queue and len(seen) < 100:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        answer = await page.request.get(path)
        body = await answer.text() if "pdf" not in answer.headers.get("content-type", "") else ""
        assert SECRET not in body and "ket-luan-ban-ky-so" not in body, path
        assert "set-cookie" not in answer.headers, path
        queue += [
            link.replace("&amp;", "&") for link in re.findall(r'href="(/public[^"#]*)"', body)
        ]
    # The internal file's id, on every public address that takes an id, and the staff
    # download address without a session: never the signed file.
    for path in (
        f"/public/conclusions/{internal.id}",
        f"/public/conclusions/{internal.id}/file",
        f"/attachments/{internal.id}",
        f"/api/attachments/{internal.id}/content",
    ):
        answer = await page.request.get(path, max_redirects=0)
        assert b"INTERNAL-SIGNED-MARKER" not in await answer.body(), path
        assert "ket-luan-ban-ky-so" not in answer.headers.get("content-disposition", ""), path
    assert await page.context.cookies() == []
