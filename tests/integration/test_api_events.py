"""Lifecycle events through the API: transitions, dates, deadlines, roles, versions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from inspect_app.db import write_transaction
from models.tables import (
    AppUser,
    AuditEvent,
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionSuspension,
)
from tests.factories import (
    event,
    make_inspection,
    make_measure,
    make_subject,
    make_user,
    row_count,
)
from tests.integration.approval_support import approve

# Storage-layer behaviour: these run on SQLite (the embedded default) too.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    subject = await make_subject()
    # The inspector is on the case's team: an inspector outside it only reads the case.
    case = await make_inspection(
        people["lead"], [subject], member_user_ids=[people["inspector"].id]
    )
    return {**people, "case": case}


async def _post(client, actor, case_id: int, body: dict[str, Any]):
    return await client.post(f"/api/inspections/{case_id}/events", json=body, headers=actor.headers)


async def test_announce_starts_the_clock(client, world) -> None:
    case = world["case"]
    response = await _post(
        client,
        world["inspector"],
        case["id"],
        {"type": "announce", "date": "2026-03-02", "version": 1},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "onsite"
    assert body["announced_on"] == "2026-03-02"
    assert body["version"] == 2
    # 45 calendar days counted from the announcement day included: 02/03 -> 15/04/2026.
    assert body["deadlines"]["onsite_due"] == "2026-04-15"
    # Conclusion 35 days after the on-site due date; publication and directive not yet known.
    assert body["deadlines"]["conclusion_due"] == "2026-05-20"
    assert body["deadlines"]["publication_due"] is None
    assert body["overdue"] is True  # today is after 15/04/2026 and on-site work has not ended
    stored = await InspectionEvent.select(InspectionEvent.type, InspectionEvent.date)
    assert stored == [{"type": "announce", "date": date(2026, 3, 2)}]
    actions = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.entity_type == "inspection"
    )
    assert [a["action"] for a in actions] == ["create", "event.announce"]


async def test_full_lifecycle_with_extension_and_suspension(client, world) -> None:
    lead, case_id = world["lead"], world["case"]["id"]
    head = await make_user(world["tree"]["P"], "head")
    steps = [
        {"type": "announce", "date": "2026-03-02"},
        {"type": "extend", "date": "2026-04-01", "days": 10, "decision_no": "30/QĐ-TTr"},
        {
            "type": "suspend",
            "date": "2026-04-05",
            "decision_no": "31/QĐ-TTr",
            "reason": "Chờ giám định",
        },
        {"type": "resume", "date": "2026-04-15"},
        {"type": "end_onsite", "date": "2026-05-04"},
        {"type": "report", "date": "2026-05-10"},
        {"type": "conclude", "date": "2026-06-01", "conclusion_no": "25/KL-TTr"},
        {"type": "publish", "date": "2026-06-05"},
        {"type": "direct", "date": "2026-06-10"},
        {"type": "close", "date": "2026-06-20", "reason": "Mọi kiến nghị đã thực hiện xong"},
    ]
    version = 1
    body: dict[str, Any] = {}
    for step in steps:
        if step["type"] == "publish":
            # No public version yet: the publish event is refused, nothing changes.
            refused = await _post(client, lead, case_id, {**step, "version": version})
            assert refused.status_code == 409, refused.text
            assert refused.json()["code"] == "no_public_version"
            prepared = await client.put(
                f"/api/inspections/{case_id}/publication",
                json={"summary": "Kết luận thanh tra ngân sách xã.", "public_text": "Nội dung."},
                headers=lead.headers,
            )
            assert prepared.status_code == 200, prepared.text
            assert prepared.json()["public_url"] is None  # prepared, not yet published
        response = await _post(client, lead, case_id, {**step, "version": version})
        if step["type"] == "close":
            # Closing waits for a second person: nothing changes until a head approves.
            assert response.status_code == 202, response.text
            pending = response.json()["pending_approval"]
            assert (response.json()["status"], pending["kind"]) == ("concluded", "case_close")
            await approve(client, head, pending["id"])
            response = await client.get(f"/api/inspections/{case_id}", headers=lead.headers)
        assert response.status_code == 200, (step, response.text)
        body = response.json()
        version = body["version"]
        if step["type"] == "resume":
            # 45 + 10 days from 02/03 is 25/04; 10 suspended days (05/04-14/04) move it to 05/05.
            assert body["deadlines"]["onsite_due"] == "2026-05-05"
    assert body["status"] == "closed"
    assert body["closed_on"] == "2026-06-20"
    assert body["conclusion_no"] == "25/KL-TTr"
    assert body["deadlines"]["publication_due"] == "2026-06-11"
    assert body["deadlines"]["directive_due"] == "2026-06-16"
    assert body["overdue"] is False
    extension = await InspectionExtension.select(InspectionExtension.days).first()
    suspension = await InspectionSuspension.select(
        InspectionSuspension.start_on, InspectionSuspension.end_on
    ).first()
    assert extension == {"days": 10}
    assert suspension == {"start_on": date(2026, 4, 5), "end_on": date(2026, 4, 15)}
    assert await row_count(InspectionEvent) == 10


async def test_illegal_transition_is_409_with_the_reason(client, world) -> None:
    response = await _post(
        client,
        world["lead"],
        world["case"]["id"],
        {"type": "conclude", "date": "2026-03-02", "version": 1, "conclusion_no": "1/KL"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    # The reason, in the user's language (Vietnamese by default).
    assert response.json()["detail"] == (
        "Không thể ban hành kết luận khi cuộc thanh tra đang ở trạng thái “Dự thảo”."
    )
    assert await Inspection.select(Inspection.status, Inspection.version).first() == {
        "status": "draft",
        "version": 1,
    }
    assert await row_count(InspectionEvent) == 0


async def test_close_needs_every_measure_done_or_written_off(client, world) -> None:
    lead, case = world["lead"], world["case"]
    await event(lead, case, "announce", date(2026, 3, 2))
    await event(lead, case, "end_onsite", date(2026, 4, 1))
    await event(lead, case, "conclude", date(2026, 4, 20), conclusion_no="25/KL-TTr")
    await make_measure(lead, case)
    current = (await client.get(f"/api/inspections/{case['id']}", headers=lead.headers)).json()

    response = await _post(
        client,
        lead,
        case["id"],
        {"type": "close", "date": "2026-05-01", "version": current["version"]},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["detail"] == (
        "Không thể đóng hồ sơ: còn 1 kiến nghị chưa thực hiện xong."
    )


async def test_refusals_are_worded_in_the_reader_s_language_with_plurals(client, world) -> None:
    lead, case = world["lead"], world["case"]
    await AppUser.update({AppUser.language: "en"}).where(AppUser.id == lead.id)
    refused = await _post(
        client,
        lead,
        case["id"],
        {"type": "conclude", "date": "2026-03-02", "version": 1, "conclusion_no": "1/KL"},
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Cannot issue the conclusion while the inspection is in status “Draft” (draft)."
    )
    await event(lead, case, "announce", date(2026, 3, 2))
    await event(lead, case, "end_onsite", date(2026, 4, 1))
    await event(lead, case, "conclude", date(2026, 4, 20), conclusion_no="25/KL-TTr")
    await make_measure(lead, case)
    await make_measure(lead, case)
    for language, detail in (
        ("en", "Cannot close the case: 2 measures are neither done nor written off."),
        ("vi", "Không thể đóng hồ sơ: còn 2 kiến nghị chưa thực hiện xong."),
    ):
        # A committed write, as the profile page makes it: the principal kept per process
        # is read again (services/identity.py).
        async with write_transaction():
            await AppUser.update({AppUser.language: language}).where(AppUser.id == lead.id)
        current = (await client.get(f"/api/inspections/{case['id']}", headers=lead.headers)).json()
        response = await _post(
            client,
            lead,
            case["id"],
            {"type": "close", "date": "2026-05-01", "version": current["version"]},
        )
        assert response.status_code == 409
        assert response.json()["detail"] == detail


async def test_stale_version_is_409_and_records_nothing(client, world) -> None:
    lead, case = world["lead"], world["case"]
    await event(lead, case, "announce", date(2026, 3, 2))
    response = await _post(
        client, lead, case["id"], {"type": "end_onsite", "date": "2026-04-01", "version": 1}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert await row_count(InspectionEvent) == 1


async def test_role_may_not_record_a_leads_event(client, world) -> None:
    await event(world["lead"], world["case"], "announce", date(2026, 3, 2))
    response = await _post(
        client,
        world["inspector"],
        world["case"]["id"],
        {"type": "end_onsite", "date": "2026-04-01", "version": 2},
    )
    viewer = await _post(
        client,
        world["viewer"],
        world["case"]["id"],
        {"type": "end_onsite", "date": "2026-04-01", "version": 2},
    )
    assert response.status_code == 403
    assert viewer.status_code == 403
    assert await row_count(InspectionEvent) == 1


async def test_out_of_scope_case_is_404(client, world) -> None:
    response = await _post(
        client,
        world["outsider"],
        world["case"]["id"],
        {"type": "announce", "date": "2026-03-02", "version": 1},
    )
    assert response.status_code == 404
    assert await row_count(InspectionEvent) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "launch", "date": "2026-03-02"}, "type"),
        ({"type": "announce", "date": "2099-03-02"}, "date"),
        # Before the decision date (05/01/2026).
        ({"type": "announce", "date": "2026-01-01"}, "date"),
        ({"type": "announce", "date": "02/03/2026"}, "date"),
    ],
)
async def test_bad_event_input_names_the_field(client, world, body, field) -> None:
    response = await _post(client, world["lead"], world["case"]["id"], {**body, "version": 1})
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await row_count(InspectionEvent) == 0
    assert (await Inspection.select(Inspection.version).first())["version"] == 1


async def test_event_fields_are_required(client, world) -> None:
    lead, case = world["lead"], world["case"]
    await event(lead, case, "announce", date(2026, 3, 2))
    for body, field in [
        ({"type": "extend", "decision_no": "1/QĐ"}, "days"),
        ({"type": "extend", "days": 5}, "decision_no"),
        ({"type": "suspend", "decision_no": "1/QĐ"}, "reason"),
        ({"type": "cancel"}, "reason"),
        ({"type": "end_onsite", "date": "2026-02-01"}, "date"),  # before the announcement
    ]:
        payload = {"date": "2026-03-10", "version": 2, **body}
        response = await _post(client, lead, case["id"], payload)
        assert response.status_code == 422, (body, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert await row_count(InspectionEvent) == 1


async def test_a_suspension_longer_than_30_days_is_refused_on_resume(client, world) -> None:
    lead, case = world["lead"], world["case"]
    await event(lead, case, "announce", date(2026, 3, 2))
    await event(lead, case, "suspend", date(2026, 3, 10), decision_no="5/QĐ", reason="Chờ")
    response = await _post(
        client, lead, case["id"], {"type": "resume", "date": "2026-04-10", "version": 3}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date"
    ok = await _post(
        client, lead, case["id"], {"type": "resume", "date": "2026-04-09", "version": 3}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "onsite"


async def test_cancel_records_the_reason(client, world) -> None:
    response = await _post(
        client,
        world["lead"],
        world["case"]["id"],
        {
            "type": "cancel",
            "date": "2026-02-01",
            "version": 1,
            "reason": "Trùng với Kiểm toán Nhà nước",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["cancelled_on"], body["cancel_reason"]) == (
        "cancelled",
        "2026-02-01",
        "Trùng với Kiểm toán Nhà nước",
    )
