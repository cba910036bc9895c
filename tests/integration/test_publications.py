"""The public version of conclusions and the public portal: the publish event needs one,
the portal shows it (searchable, per agency, in a feed), the case's own records and its
signed file are reachable from no public address, and taking it down needs a reason and
the legal minimum."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest

from inspect_app.errors import Conflict, InvalidInput
from inspect_app.schemas.publications import PublicationSave
from inspect_app.services import publications
from models.tables import Attachment, AuditEvent, Inspection, InspectionSubject, Publication
from tests.conftest import app_client
from tests.factories import make_subject, make_user

pytestmark = [pytest.mark.usefixtures("db")]

SECRET = "BÍ MẬT NHÀ NƯỚC ZZSECRETZZ"
PDF = b"%PDF-1.4\n% public version\n"


async def _concluded_case(agency: dict[str, Any], lead: Any) -> int:
    case = Inspection(
        code="TT-2026-000321",
        agency=agency["id"],
        origin="ad_hoc",
        title="Thanh tra việc quản lý đất đai tại xã Tân Dân",
        scope=SECRET,  # the case's own fields never reach the portal
        decision_no="12/QĐ-TTr",
        decision_date=date(2026, 1, 5),
        announced_on=date(2026, 1, 10),
        onsite_ended_on=date(2026, 2, 20),
        conclusion_no="30/KL-TTr",
        concluded_on=date(2026, 3, 20),
        status="concluded",
        lead_user=lead.principal.id,
    )
    await case.save()
    subject = await make_subject("Công ty TNHH Minh Long", tax_code="5701234567")
    await InspectionSubject(inspection=case.id, subject=subject).save()
    await Attachment(
        entity_type="inspection",
        entity_id=case.id,
        filename="ket-luan-da-ky.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        storage_name="signed-internal-file",
        agency=agency["id"],
    ).save()
    return int(case.id)


async def _publish(client: Any, lead: Any, case_id: int) -> Any:
    version = (await Inspection.select(Inspection.version).where(Inspection.id == case_id))[0]
    return await client.post(
        f"/api/inspections/{case_id}/events",
        json={"type": "publish", "date": "2026-03-25", "version": version["version"]},
        headers=lead.headers,
    )


async def test_publish_needs_a_public_version_then_the_portal_shows_it(
    client: Any, people: dict[str, Any]
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    case_id = await _concluded_case(agency, lead)
    refused = await _publish(client, lead, case_id)
    assert refused.status_code == 409 and refused.json()["code"] == "no_public_version"
    assert await Publication.count() == 0
    # A summary alone is not a public version.
    with pytest.raises(InvalidInput) as problems:
        await publications.save_publication(
            lead.principal, case_id, PublicationSave(summary="Tóm tắt"), None
        )
    assert problems.value.errors == {"public_text": publications.MSG_NOTHING_PUBLIC}
    with pytest.raises(InvalidInput) as problems:
        await publications.save_publication(
            lead.principal,
            case_id,
            PublicationSave(summary="Tóm tắt"),
            ("ket-luan.pdf", b"not a pdf"),
        )
    assert problems.value.errors == {"file": publications.MSG_PDF_ONLY}
    await publications.save_publication(
        lead.principal,
        case_id,
        PublicationSave(summary="Kết luận về quản lý đất đai", public_text="Toàn văn công khai."),
        ("ket-luan-cong-khai.pdf", PDF),
    )
    assert (await _publish(client, lead, case_id)).status_code == 200
    row = await Publication.select().first()
    assert row["published_on"] == date(2026, 3, 25) and row["year"] == 2026

    listing = await client.get("/public/conclusions")
    assert listing.status_code == 200 and "30/KL-TTr" in listing.text
    assert "public" in listing.headers["cache-control"]
    for query in ("q=quan ly dat dai", "q=30/KL-TTr", "year=2026", "tax_code=5701234567"):
        found = await client.get(f"/public/conclusions?{query}")
        assert "30/KL-TTr" in found.text, query
    for query in ("q=xay dung", "year=2025", "tax_code=0100000000", "agency=B"):
        assert "30/KL-TTr" not in (await client.get(f"/public/conclusions?{query}")).text, query
    detail = await client.get(f"/public/conclusions/{row['id']}")
    assert "Toàn văn công khai." in detail.text and "Công ty TNHH Minh Long" in detail.text
    pdf = await client.get(f"/public/conclusions/{row['id']}/file")
    assert pdf.status_code == 200 and pdf.content == PDF
    feed = await client.get("/public/feeds/A")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(feed.text).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and "30/KL-TTr" in entries[0].findtext(
        "{http://www.w3.org/2005/Atom}title", ""
    )


async def test_nothing_internal_is_reachable_from_a_public_address(
    app: Any, client: Any, people: dict[str, Any]
) -> None:
    """A crawl of every public page and the feed, and direct requests for the internal
    records' ids, find neither the case's own fields nor its signed file."""
    lead, agency = people["lead"], people["tree"]["A"]
    case_id = await _concluded_case(agency, lead)
    await publications.save_publication(
        lead.principal, case_id, PublicationSave(summary="Tóm tắt", public_text="Công khai."), None
    )
    assert (await _publish(client, lead, case_id)).status_code == 200
    attachment = (await Attachment.select(Attachment.id))[0]["id"]
    async with app_client(app, lifespan=False) as anonymous:
        seen: set[str] = set()
        queue = ["/public", "/public/conclusions", "/public/feeds/A"]
        while queue:
            path = queue.pop()
            if path in seen or len(seen) > 200:
                continue
            seen.add(path)
            response = await anonymous.get(path)
            assert SECRET not in response.text and "ket-luan-da-ky" not in response.text, path
            assert "set-cookie" not in response.headers, path
            for link in re.findall(r'href="(/public[^"#]*)"', response.text):
                queue.append(link.replace("&amp;", "&"))
        assert any(p.startswith("/public/conclusions/") for p in seen)
        for path in (
            f"/public/conclusions/{case_id}/file",
            f"/public/conclusions/{attachment}/file",
            f"/attachments/{attachment}",
            f"/api/attachments/{attachment}/content",
            f"/inspections/{case_id}",
            f"/api/inspections/{case_id}",
        ):
            response = await anonymous.get(path, follow_redirects=False)
            assert response.status_code in (302, 303, 401, 404), path
            assert b"signed-internal" not in response.content and SECRET not in response.text


async def test_taking_it_down_needs_a_reason_and_the_legal_minimum(
    client: Any, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    head = await make_user(agency, "head")
    case_id = await _concluded_case(agency, lead)
    await publications.save_publication(
        lead.principal, case_id, PublicationSave(summary="Tóm tắt", public_text="Công khai."), None
    )
    assert (await _publish(client, lead, case_id)).status_code == 200
    from inspect_app import clock

    # Published 25/03: on the portal until 09/04 at least (15 days).
    monkeypatch.setattr(clock, "today", lambda: date(2026, 4, 8))
    with pytest.raises(InvalidInput) as early:
        await publications.unpublish(head.principal, case_id, "Nhầm tài liệu")
    assert "09/04/2026" in str(early.value.errors["reason"].values["date"])
    monkeypatch.setattr(clock, "today", lambda: date(2026, 4, 9))
    with pytest.raises(InvalidInput):
        await publications.unpublish(head.principal, case_id, "  ")
    from inspect_app.errors import Forbidden

    with pytest.raises(Forbidden):
        await publications.unpublish(lead.principal, case_id, "Nhầm tài liệu")
    await publications.unpublish(head.principal, case_id, "Đã hết thời hạn công khai")
    assert "30/KL-TTr" not in (await client.get("/public/conclusions")).text
    row = await Publication.select().first()
    assert (await client.get(f"/public/conclusions/{row['id']}")).status_code == 404
    audited = await AuditEvent.select().where(AuditEvent.action == "publication_unpublish")
    assert len(audited) == 1
    with pytest.raises(Conflict):
        await publications.unpublish(head.principal, case_id, "again")
    assert timedelta(days=publications.min_days()) == timedelta(days=15)


async def test_a_public_version_form_read_at_another_version_is_refused(
    people: dict[str, Any],
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    case_id = await _concluded_case(agency, lead)
    form = {"summary": "Tóm tắt", "public_text": "Công khai."}
    # The first save has no version to read; blank means "new".
    assert publications.publication_request({**form, "version": ""}).version is None
    saved = await publications.save_publication(
        lead.principal, case_id, publications.publication_request(form), None
    )
    assert saved.version == 1 and saved.public_url is None  # not on the portal yet
    # A version that is not a number is one no stored version has: refused as stale.
    for version in ("abc", "0", "2", "99999999999"):
        with pytest.raises(Conflict):
            await publications.save_publication(
                lead.principal,
                case_id,
                publications.publication_request({**form, "summary": "Khác", "version": version}),
                None,
            )
    corrected = await publications.save_publication(
        lead.principal,
        case_id,
        publications.publication_request({**form, "summary": "Sửa", "version": "1"}),
        None,
    )
    assert (corrected.summary, corrected.version) == ("Sửa", 2)


@pytest.mark.parametrize("typed", ["²", "٣", "99999999", "-1", "2026\x00"])
async def test_the_portals_filters_take_any_text_without_failing(
    client: Any, people: dict[str, Any], typed: str
) -> None:
    answer = await client.get(
        "/public/conclusions", params={"page": typed, "year": typed, "q": typed, "agency": typed}
    )
    # A NUL is refused at the door (400); anything else is a filter that matches nothing.
    assert answer.status_code == (400 if "\x00" in typed else 200)
    assert publications.clean_filters(None, None, typed, None, typed).page >= 1
