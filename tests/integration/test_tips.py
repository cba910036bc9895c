"""Tips: the public form and its limits, the status page, triage, and the denouncer's
identity, which no page, list, export or audit text of anyone but the handling officer and
the head may show."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from inspect_app.domain import tips as rules
from inspect_app.domain.clock import count_forward
from inspect_app.errors import Conflict, Forbidden, InvalidInput
from inspect_app.services import tips
from models.tables import AuditEvent, Inspection, Subject, Tip, TipFile
from tests.conftest import app_client
from tests.factories import make_user
from tests.integration.jobs_support import sign_in

pytestmark = [pytest.mark.usefixtures("db")]

DENOUNCER = "Lê Thị Tố Giác"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def staff(people: dict[str, Any]) -> dict[str, Any]:
    """A lead, an inspector and a viewer of the provincial inspectorate P, which receives
    the public's tips (a department, such as A, does not)."""
    province = people["tree"]["P"]
    return {role: await make_user(province, role) for role in ("lead", "inspector", "viewer")}


def _form(agency_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "agency_id": str(agency_id),
        "kind": "denunciation",
        "content": "Cán bộ địa chính xã đòi 20 triệu đồng để ký hồ sơ đất.",
        "subject_name": "Cán bộ địa chính xã Tân Dân",
        "place": "UBND xã Tân Dân",
        "anonymous": "0",
        "contact_name": DENOUNCER,
        "contact_phone": "0912345678",
        **extra,
    }


async def _submit(data: dict[str, Any], files: list[tuple[str, bytes]], ip: str) -> Any:
    """The public form's path: read the form, then submit."""
    entry, unread = tips.entry_request(data, staff=False)
    return await tips.submit_public(entry, files, ip, unread=unread)


async def _intake(principal: Any, data: dict[str, Any], files: list[tuple[str, bytes]]) -> Any:
    entry, unread = tips.entry_request(data, staff=True)
    return await tips.intake(principal, entry, files, unread=unread)


async def _decide(
    principal: Any, tip_id: int, outcome: str, data: dict[str, Any], version: int | None
) -> Any:
    decision, unread = tips.decision_request(data)
    return await tips.decide(principal, tip_id, outcome, decision, version, unread=unread)


async def test_a_public_tip_gets_a_code_and_a_deadline(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    created = await _submit(_form(agency["id"]), [("anh.png", PNG)], "203.0.113.9")
    assert re.fullmatch(f"[{rules.CODE_ALPHABET}]{{10}}", created.code)
    row = await Tip.select().where(Tip.code == created.code).first()
    assert row["status"] == "received" and row["channel"] == "web"
    # A denunciation: 7 working days on the legal clock, from the day after.
    from inspect_app.services.inspections import holiday_calendar

    expected = count_forward(
        row["received_on"], 7, working_days=True, calendar=holiday_calendar(), include_start=False
    )
    assert row["due_on"] == expected and row["due_on"] >= row["received_on"] + timedelta(days=9)
    assert row["ip_hash"] and "203.0.113.9" not in row["ip_hash"]
    assert await TipFile.count() == 1
    view = await tips.public_view(created.code.lower())
    assert view is not None and view.status == "received"
    assert await tips.public_view("AAAAAAAAAA") is None
    assert await tips.public_view("not a code") is None


async def test_bad_input_names_each_field_and_keeps_nothing(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    data = _form(agency["id"], kind="gossip", content="", contact_name="")
    with pytest.raises(InvalidInput) as refused:
        await _submit(data, [("virus.exe", b"MZ\x90\x00")], "203.0.113.9")
    assert set(refused.value.errors) == {"kind", "content", "contact_name", "files"}
    assert refused.value.errors["files"] == tips.MSG_FILE_TYPE
    assert await Tip.count() == 0
    # A file above the upload limit: said so, by field, nothing kept.
    big = PNG + b"\x00" * (20 * 1024 * 1024)
    with pytest.raises(InvalidInput) as refused:
        await _submit(_form(agency["id"]), [("anh.png", big)], "203.0.113.9")
    assert refused.value.errors == {"files": tips.MSG_FILE_SIZE}
    assert await Tip.count() == 0
    # The honeypot: a robot fills every field.
    with pytest.raises(InvalidInput):
        await _submit(_form(agency["id"], website="x"), [], "203.0.113.9")
    assert await Tip.count() == 0


async def test_anonymous_keeps_nothing_about_the_sender(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    created = await _submit(_form(agency["id"], anonymous="1"), [], "203.0.113.9")
    row = await Tip.select().where(Tip.code == created.code).first()
    assert row["anonymous"] is True
    assert (row["contact_name"], row["contact_phone"]) == ("", "")


async def test_the_limit_per_address(people: dict[str, Any], staff: dict[str, Any]) -> None:
    agency = people["tree"]["P"]
    accepted, limited = [], 0
    for n in range(100):
        try:
            created = await _submit(
                _form(agency["id"], content=f"Phản ánh số {n}"), [], "198.51.100.7"
            )
        except InvalidInput as refused:
            assert refused.errors == {"form": tips.MSG_RATE_LIMITED}, refused.errors
            limited += 1
        else:
            accepted.append(created.code)
    assert len(accepted) == rules.PUBLIC_LIMIT and limited == 100 - rules.PUBLIC_LIMIT
    # Nothing lost of the accepted ones; another address is not limited.
    assert await Tip.count() == rules.PUBLIC_LIMIT
    assert {row["code"] for row in await Tip.select(Tip.code)} == set(accepted)
    await _submit(_form(agency["id"]), [], "198.51.100.8")


async def test_triage_accept_opens_an_ad_hoc_case_linked_both_ways(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    created = await _submit(_form(agency["id"]), [], "203.0.113.9")
    tip_id = (await Tip.select(Tip.id).where(Tip.code == created.code))[0]["id"]
    lead = staff["lead"].principal
    with pytest.raises(Forbidden):
        await _decide(staff["inspector"].principal, tip_id, "accepted", {}, None)
    tip = await _decide(lead, tip_id, "accepted", {}, None)
    assert tip.status == "accepted" and tip.handler == lead.id
    case = await Inspection.select().where(Inspection.id == tip.inspection).first()
    assert (case["origin"], case["origin_source"], case["origin_ref"]) == (
        "ad_hoc",
        "denunciation",
        created.code,
    )
    assert (await tips.tip_of_case(case["id"])).code == created.code
    view = await tips.public_view(created.code)
    assert (view.status == "accepted" and view.decided_on == date.today()) or view.decided_on
    with pytest.raises(Conflict):  # decided once
        await _decide(lead, tip_id, "rejected", {"reason": "x"}, None)


async def test_an_acceptance_on_a_stale_version_leaves_no_case_or_subject_behind(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    created = await _submit(
        _form(agency["id"], subject_name="Công ty TNHH Mới Tinh"), [], "203.0.113.10"
    )
    row = await Tip.select(Tip.id, Tip.version).where(Tip.code == created.code).first()
    lead = staff["lead"].principal
    cases, subjects = await Inspection.count(), await Subject.count()
    # Someone else changed the tip after this lead opened it (its version moved on).
    await Tip.update({Tip.version: Tip.version + 1}).where(Tip.id == row["id"])
    with pytest.raises(Conflict):
        await _decide(lead, row["id"], "accepted", {}, row["version"])
    # The subject and the case the acceptance opened were rolled back with it.
    assert (await Inspection.count(), await Subject.count()) == (cases, subjects)
    assert (await Tip.select(Tip.status).where(Tip.id == row["id"]).first())["status"] == (
        "received"
    )


async def test_reject_forward_attach_need_what_they_need(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    lead = staff["lead"].principal
    ids = []
    for n in range(3):
        created = await _intake(
            lead, {**_form(agency["id"], content=f"Cuộc gọi {n}"), "channel": "hotline"}, []
        )
        ids.append(created.id)
    with pytest.raises(InvalidInput) as refused:
        await _decide(lead, ids[0], "rejected", {"reason": "  "}, None)
    assert refused.value.errors == {"reason": "This field is required."}
    tip = await _decide(lead, ids[0], "rejected", {"reason": "Không thuộc thẩm quyền"}, None)
    assert tip.decision_reason == "Không thuộc thẩm quyền"
    with pytest.raises(InvalidInput) as refused:
        await _decide(lead, ids[1], "forwarded", {"forwarded_to": "Công an huyện"}, None)
    assert set(refused.value.errors) == {"letter_no"}
    with pytest.raises(InvalidInput) as refused:
        await _decide(lead, ids[2], "attached", {"inspection_id": "2147483647"}, None)
    assert refused.value.errors == {"inspection_id": tips.MSG_CASE_CLOSED}
    # A stale version is refused.
    with pytest.raises(Conflict):
        await _decide(
            lead, ids[1], "forwarded", {"forwarded_to": "Công an", "letter_no": "12/CV"}, 99
        )


async def test_the_denouncers_identity_is_shown_only_to_the_handler_and_the_head(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    head = await make_user(agency, "head")
    other_lead = await make_user(agency, "lead")
    created = await _submit(_form(agency["id"]), [], "203.0.113.9")
    tip_id = (await Tip.select(Tip.id).where(Tip.code == created.code))[0]["id"]
    lead = staff["lead"].principal
    await tips.take(lead, tip_id, None)
    assert (await tips.reveal_identity(lead, tip_id))["contact_name"] == DENOUNCER
    assert (await tips.reveal_identity(head.principal, tip_id))["contact_name"] == DENOUNCER
    for who in (other_lead.principal, staff["inspector"].principal):
        with pytest.raises(Forbidden):
            await tips.reveal_identity(who, tip_id)
    views = await AuditEvent.select().where(AuditEvent.action == "tip_identity_view")
    assert len(views) == 2
    # No audit row carries the name.
    for row in await AuditEvent.select(AuditEvent.before, AuditEvent.after):
        assert DENOUNCER not in str(row)


async def test_a_crawl_finds_the_denouncer_nowhere_but_for_handler_and_head(
    app: Any, client: Any, people: dict[str, Any], staff: dict[str, Any]
) -> None:
    """Every page and API answer a crawl reaches, for every role, searched for the name."""
    agency = people["tree"]["P"]
    created = await _submit(_form(agency["id"]), [], "203.0.113.9")
    tip_id = (await Tip.select(Tip.id).where(Tip.code == created.code))[0]["id"]
    await _decide(staff["lead"].principal, tip_id, "accepted", {}, None)
    case_id = (await Tip.select(Tip.inspection).where(Tip.id == tip_id))[0]["inspection"]
    head = await make_user(agency, "head")
    admin = await make_user(people["tree"]["P"], "admin")
    viewer = staff["viewer"]
    targets = [
        "/",
        "/tips",
        f"/tips/{tip_id}",
        f"/inspections/{case_id}",
        "/inspections",
        "/follow-ups",
        "/follow-ups/export.csv",
        "/audit",
        f"/api/inspections/{case_id}",
        "/api/inspections",
        "/api/audit",
        f"/public/tips/{created.code}",
        "/public",
    ]
    for actor in (staff["inspector"], viewer, admin, head, staff["lead"], people["outsider"]):
        async with app_client(app, lifespan=False) as browser:
            await sign_in(browser, actor.principal.id)
            # The listed pages, then every page linked from them (one level), GETs only.
            seen: set[str] = set()
            queue = list(targets)
            while queue and len(seen) < 120:
                path = queue.pop(0)
                if path in seen or path.startswith(("/logout", "/lang/", "/static/")):
                    continue
                seen.add(path)
                response = await browser.get(path)
                assert DENOUNCER not in response.text, (actor.principal.role, path)
                if path in targets:
                    queue += [
                        link.replace("&amp;", "&")
                        for link in re.findall(r'href="(/[^"#]*)"', response.text)
                    ]
    # Only on request, for the handler (the lead who accepted it) and the head.
    for actor, allowed in ((staff["lead"], True), (head, True), (viewer, False)):
        async with app_client(app, lifespan=False) as client:
            csrf = await sign_in(client, actor.principal.id)
            response = await client.post(f"/tips/{tip_id}/identity", data={"_csrf_token": csrf})
            assert (DENOUNCER in response.text) is allowed, actor.principal.role


async def test_public_pages_read_and_set_no_cookie(
    app: Any, client: Any, people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    async with app_client(app, lifespan=False) as browser:
        await sign_in(browser, staff["lead"].principal.id)
        for path in ("/public", "/public/tips/new", "/public/tips/AAAAAAAAAA"):
            response = await browser.get(path)
            assert "set-cookie" not in response.headers, path
            assert "Đăng xuất" not in response.text  # the staff session is not read here
        response = await browser.post(
            "/public/tips", data=_form(agency["id"]), files={"files": ("a.png", PNG)}
        )
        assert response.status_code == 201 and "set-cookie" not in response.headers
        # An oversized or wrong-type file: a clear message, the text typed kept.
        response = await browser.post(
            "/public/tips",
            data=_form(agency["id"], content="Nội dung cần giữ lại"),
            files={"files": ("a.png", b"not an image")},
        )
        assert response.status_code == 422
        assert "Chỉ đính kèm ảnh (JPEG, PNG) hoặc tệp PDF." in response.text
        assert "Nội dung cần giữ lại" in response.text


async def test_hostile_input_on_the_public_side_never_fails(
    client: Any, people: dict[str, Any]
) -> None:
    """Ids past 2^31, huge or odd values, control characters: an answer, never a 500."""
    huge = "9" * 40
    for path in (
        f"/public/tips/{huge}",
        "/public/tips/%E2%80%AE%E2%80%AE",
        f"/public/tips/lookup?code={huge}",
        f"/public/conclusions/{2**31}",
        f"/public/conclusions/{2**31}/file",
        f"/public/conclusions?page={huge}&year={huge}&tax_code={huge}&agency={huge}",
        "/public/conclusions?q=%01%02%03&year=-1",
        f"/public/feeds/{'x' * 500}",
    ):
        response = await client.get(path)
        assert response.status_code < 500, (path, response.status_code)
    agency = people["tree"]["P"]
    for data in (
        {**_form(agency["id"]), "agency_id": huge},
        {**_form(agency["id"]), "agency_id": "-1"},
        {**_form(agency["id"]), "content": "x" * 30_000},
        {**_form(agency["id"]), "subject_name": "a\x01b"},
    ):
        response = await client.post("/public/tips", data=data)
        assert response.status_code == 422, (data, response.status_code)
    assert await Tip.count() == 0


async def test_a_tax_code_follows_the_subjects_rule(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    """The tip's tax code becomes the subject's when a case is opened from it: the same rule."""
    agency = people["tree"]["P"]
    for bad in ("0101234567001", "01012345", "0101234567-01"):
        with pytest.raises(InvalidInput) as refused:
            await _submit(_form(agency["id"], subject_tax_code=bad), [], "203.0.113.9")
        assert refused.value.errors == {"subject_tax_code": tips.MSG_TAX_CODE}
    created = await _submit(
        _form(agency["id"], subject_tax_code="0101234567-001"), [], "203.0.113.9"
    )
    tip_id = (await Tip.select(Tip.id).where(Tip.code == created.code))[0]["id"]
    tip = await _decide(staff["lead"].principal, tip_id, "accepted", {}, None)
    assert tip.inspection is not None


async def test_a_decision_reads_only_what_its_outcome_needs(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    lead = staff["lead"].principal
    created = await _intake(lead, {**_form(agency["id"]), "channel": "hotline"}, [])
    # A case number the form could not read is named for an attachment...
    with pytest.raises(InvalidInput) as refused:
        await _decide(lead, created.id, "attached", {"inspection_id": "TT-01"}, None)
    assert refused.value.errors == {"inspection_id": "Choose from the list."}
    with pytest.raises(InvalidInput) as refused:
        await _decide(lead, created.id, "attached", {"inspection_id": "2147483648"}, None)
    assert refused.value.errors == {"inspection_id": "Choose from the list."}
    # ... and left aside by a rejection, which reads its reason only.
    tip = await _decide(
        lead, created.id, "rejected", {"inspection_id": "TT-01", "reason": "Trùng"}, None
    )
    assert (tip.status, tip.decision_reason, tip.inspection) == ("rejected", "Trùng", None)


async def test_a_staff_form_names_the_unreadable_fields_with_the_missing_ones(
    people: dict[str, Any], staff: dict[str, Any]
) -> None:
    agency = people["tree"]["P"]
    count = await Tip.count()
    form = {**_form(agency["id"], content="  "), "agency_id": "Thanh tra tỉnh", "channel": "fax"}
    with pytest.raises(InvalidInput) as refused:
        await _intake(staff["lead"].principal, form, [])
    assert set(refused.value.errors) == {"agency_id", "content", "channel"}
    assert await Tip.count() == count
