"""The cases API: create, read, list with filters, edit with versions, delete drafts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.tables import AuditEvent, Inspection, InspectionMember, InspectionSubject
from tests.factories import (
    event,
    make_inspection,
    make_subject,
    make_user,
    row_count,
)

# Storage-layer behaviour: these run on SQLite (the embedded default) too.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    tree = people["tree"]
    return {
        **people,
        "head": await make_user(tree["A"], "head"),
        "member": await make_user(tree["A1"], "inspector"),
        "subject": await make_subject("Công ty Cổ phần Xây dựng Hà Nam", "0101234567"),
    }


def _body(world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Thanh tra việc chấp hành pháp luật về đất đai",
        "subject_ids": [world["subject"]],
        "lead_user_id": world["lead"].id,
        "member_user_ids": [world["member"].id],
        "decision_no": "15/QĐ-TTr",
        "decision_date": "2026-01-05",
    }
    body.update(fields)
    return body


async def test_create_returns_the_contract_fields_with_a_generated_code(client, world) -> None:
    response = await client.post(
        "/api/inspections", json=_body(world), headers=world["inspector"].headers
    )

    assert response.status_code == 201, response.text
    case = response.json()
    assert case["code"] == f"TT-2026-{case['id']:06d}"
    assert case["agency_id"] == world["tree"]["A"]["id"]
    assert case["status"] == "draft"
    assert case["origin"] == "scheduled"
    assert case["kind"] == "inspection"
    assert case["subject_ids"] == [world["subject"]]
    assert case["lead_user_id"] == world["lead"].id
    assert case["member_user_ids"] == [world["member"].id]
    assert case["duration_days"] == 45
    assert case["working_days"] is False
    assert case["deadlines"] == {
        "onsite_due": None,
        "report_due": None,
        "conclusion_due": None,
        "publication_due": None,
        "directive_due": None,
    }
    assert case["overdue"] is False
    assert case["warnings"] == []
    assert case["version"] == 1
    audit = await AuditEvent.select().where(AuditEvent.entity_type == "inspection")
    assert [(a["action"], a["entity_id"]) for a in audit] == [("create", case["id"])]


async def test_a_check_gets_a_kt_code(client, world) -> None:
    response = await client.post(
        "/api/inspections", json=_body(world, kind="check"), headers=world["inspector"].headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["code"].startswith("KT-2026-")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"subject_ids": []}, "subject_ids"),
        ({"subject_ids": [999999]}, "subject_ids"),
        ({"origin": "ad_hoc"}, "origin_source"),
        ({"origin": "ad_hoc", "origin_source": "hotline"}, "origin_ref"),
        ({"origin": "ad_hoc", "origin_source": "radio", "origin_ref": "x"}, "origin_source"),
        ({"origin": "sometimes"}, "origin"),
        ({"kind": "audit"}, "kind"),
        # Administrative inspections ended with the 2025 law (valid to 30/06/2025).
        ({"kind": "admin_inspection"}, "kind"),
        ({"duration_days": 0}, "duration_days"),
        ({"decision_date": "2099-01-01"}, "decision_date"),
        ({"period_from": "2025-12-31", "period_to": "2024-01-01"}, "period_to"),
        ({"lead_user_id": 999999}, "lead_user_id"),
        ({"agency_id": 999999}, "agency_id"),
        ({"override_reason": "Chỉ đạo của UBND tỉnh"}, "override_reason"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    client, world, fields: dict[str, Any], field: str
) -> None:
    before = (await row_count(Inspection), await row_count(InspectionSubject))

    response = await client.post(
        "/api/inspections", json=_body(world, **fields), headers=world["inspector"].headers
    )

    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await row_count(Inspection), await row_count(InspectionSubject)) == before


async def test_members_from_outside_the_scope_are_refused(client, world) -> None:
    body = _body(world, member_user_ids=[world["outsider"].id])
    response = await client.post("/api/inspections", json=body, headers=world["lead"].headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "member_user_ids"
    assert await row_count(InspectionMember) == 0


async def test_ad_hoc_case_records_its_origin(client, world) -> None:
    body = _body(world, origin="ad_hoc", origin_source="denunciation", origin_ref="Đơn số 12/2026")
    response = await client.post("/api/inspections", json=body, headers=world["lead"].headers)
    assert response.status_code == 201, response.text
    case = response.json()
    assert (case["origin"], case["origin_source"], case["origin_ref"]) == (
        "ad_hoc",
        "denunciation",
        "Đơn số 12/2026",
    )


async def test_viewer_cannot_create(client, world) -> None:
    response = await client.post(
        "/api/inspections", json=_body(world), headers=world["viewer"].headers
    )
    assert response.status_code == 403
    assert await row_count(Inspection) == 0


async def test_a_case_of_another_branch_is_not_found(client, world) -> None:
    outside = await make_inspection(world["outsider"], [world["subject"]])
    for method, path, kwargs in [
        ("GET", f"/api/inspections/{outside['id']}", {}),
        ("PATCH", f"/api/inspections/{outside['id']}", {"json": {"version": 1, "title": "X"}}),
        ("DELETE", f"/api/inspections/{outside['id']}", {}),
    ]:
        response = await client.request(method, path, headers=world["lead"].headers, **kwargs)
        assert response.status_code == 404, (method, response.text)
    stored = await Inspection.select(Inspection.title, Inspection.deleted_at).first()
    assert stored == {"title": "Thanh tra việc quản lý, sử dụng đất", "deleted_at": None}


async def test_patch_bumps_the_version_and_a_stale_version_changes_nothing(client, world) -> None:
    case = await make_inspection(world["lead"], [world["subject"]])
    path = f"/api/inspections/{case['id']}"

    first = await client.patch(
        path, json={"version": 1, "title": "Thanh tra đất đai 2026"}, headers=world["lead"].headers
    )
    stale = await client.patch(
        path, json={"version": 1, "title": "Tiêu đề cũ"}, headers=world["lead"].headers
    )

    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    stored = await Inspection.select(Inspection.title, Inspection.version).first()
    assert stored == {"title": "Thanh tra đất đai 2026", "version": 2}


async def test_patch_bad_input_changes_nothing(client, world) -> None:
    case = await make_inspection(world["lead"], [world["subject"]])
    response = await client.patch(
        f"/api/inspections/{case['id']}",
        json={"version": 1, "duration_days": -3, "title": "Mới"},
        headers=world["lead"].headers,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["duration_days"]
    stored = await Inspection.select(Inspection.title, Inspection.version).first()
    assert stored == {"title": "Thanh tra việc quản lý, sử dụng đất", "version": 1}


async def test_delete_only_while_draft(client, world) -> None:
    draft = await make_inspection(world["lead"], [world["subject"]])
    announced = await make_inspection(world["lead"], [world["subject"]])
    await event(world["lead"], announced, "announce", date(2026, 1, 12))

    refused = await client.delete(
        f"/api/inspections/{announced['id']}", headers=world["lead"].headers
    )
    deleted = await client.delete(f"/api/inspections/{draft['id']}", headers=world["lead"].headers)

    assert refused.status_code == 409
    assert deleted.status_code == 204
    gone = await client.get(f"/api/inspections/{draft['id']}", headers=world["lead"].headers)
    assert gone.status_code == 404
    rows = await Inspection.select(Inspection.id, Inspection.deleted_at).order_by(Inspection.id)
    assert [r["deleted_at"] is not None for r in rows] == [True, False]


async def test_delete_with_a_stale_version_is_refused_and_deletes_nothing(client, world) -> None:
    draft = await make_inspection(world["lead"], [world["subject"]])
    path = f"/api/inspections/{draft['id']}"
    edited = await client.patch(
        path, json={"version": 1, "title": "Thanh tra đất đai 2026"}, headers=world["lead"].headers
    )
    assert edited.status_code == 200, edited.text

    # Deleting the draft as it was read before the edit (version 1) is refused.
    stale = await client.delete(f"{path}?version=1", headers=world["lead"].headers)

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    stored = await Inspection.select(Inspection.deleted_at, Inspection.version).first()
    assert stored == {"deleted_at": None, "version": 2}
    deletes = await AuditEvent.select().where(AuditEvent.action == "delete")
    assert deletes == []
    # The current version deletes it.
    current = await client.delete(f"{path}?version=2", headers=world["lead"].headers)
    assert current.status_code == 204


async def test_overlap_with_another_agency_warns_and_a_head_may_override(client, world) -> None:
    earlier = await make_inspection(world["outsider"], [world["subject"]])

    created = await client.post(
        "/api/inspections", json=_body(world), headers=world["lead"].headers
    )
    overridden = await client.post(
        "/api/inspections",
        json=_body(world, override_reason="Theo chỉ đạo của Chủ tịch UBND tỉnh"),
        headers=world["head"].headers,
    )

    assert created.status_code == 201, created.text
    [warning] = created.json()["warnings"]
    assert warning["code"] == "subject_already_inspected"
    assert warning["subject_id"] == world["subject"]
    assert warning["inspection_codes"] == [earlier["code"]]
    assert warning["overridden"] is False
    assert overridden.status_code == 201, overridden.text
    body = overridden.json()
    assert body["overlap_override_reason"] == "Theo chỉ đạo của Chủ tịch UBND tỉnh"
    assert body["overlap_override_by"] == world["head"].id
    assert [w["overridden"] for w in body["warnings"]] == [True]
    assert len(body["warnings"][0]["inspection_codes"]) == 2


async def test_a_subject_inspected_in_another_year_gives_no_warning(client, world) -> None:
    await make_inspection(world["outsider"], [world["subject"]], decision_date=date(2025, 9, 1))
    created = await client.post(
        "/api/inspections", json=_body(world), headers=world["lead"].headers
    )
    assert created.json()["warnings"] == []


async def _ids(client, actor, query: str) -> list[int]:
    response = await client.get(f"/api/inspections?{query}", headers=actor.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_list_filters(client, world) -> None:
    lead = world["lead"]
    other_subject = await make_subject("Hợp tác xã Đông Hà", "0309999999")
    a = await make_inspection(lead, [world["subject"]], title="Thanh tra tại Hà Nam")
    b = await make_inspection(
        lead,
        [other_subject],
        kind="check",
        origin="ad_hoc",
        origin_source="hotline",
        origin_ref="Phản ánh 1",
        decision_date=date(2026, 4, 1),
    )
    a1_lead = await make_user(world["tree"]["A1"], "lead")
    c = await make_inspection(a1_lead, [other_subject], decision_date=date(2025, 12, 20))
    outside = await make_inspection(world["outsider"], [world["subject"]])
    await event(lead, a, "announce", date(2026, 1, 12))

    assert await _ids(client, lead, "") == [c["id"], b["id"], a["id"]]
    assert await _ids(client, lead, f"agency_id={world['tree']['A']['id']}&include_sub=false") == [
        b["id"],
        a["id"],
    ]
    assert await _ids(client, lead, f"agency_id={world['tree']['A1']['id']}") == [c["id"]]
    assert await _ids(client, lead, "origin=ad_hoc") == [b["id"]]
    assert await _ids(client, lead, "kind=check") == [b["id"]]
    assert await _ids(client, lead, "status=onsite") == [a["id"]]
    assert await _ids(client, lead, f"subject_id={world['subject']}") == [a["id"]]
    # Accent-insensitive: "ha nam" finds "Hà Nam" (title and subject names are searched).
    assert await _ids(client, lead, "q=ha%20nam") == [a["id"]]
    assert await _ids(client, lead, "q=0309999999") == [c["id"], b["id"]]
    # Q1 2026 runs 15/12/2025-14/03/2026: a (announced 12/01) and c (decided 20/12/2025).
    assert await _ids(client, lead, "period=2026-Q1") == [c["id"], a["id"]]
    # Q2 2026: b started in it; a and c are carried over (started before 15/03, still open).
    assert await _ids(client, lead, "period=2026-Q2") == [c["id"], b["id"], a["id"]]
    assert await _ids(client, lead, "year=2026") == [c["id"], b["id"], a["id"]]
    assert await _ids(client, lead, "year=2025") == []
    # a was due on-site by 25/02/2026 (45 days from 12/01) and has not ended it.
    assert await _ids(client, lead, "overdue=true") == [a["id"]]
    assert await _ids(client, lead, "overdue=false") == [c["id"], b["id"]]
    assert await _ids(client, world["outsider"], "") == [outside["id"]]
    listed = await client.get("/api/inspections", headers=lead.headers)
    assert listed.json()["counts"]["draft"] == 2
    assert listed.json()["counts"]["onsite"] == 1


async def test_list_bad_filters_name_the_field(client, world) -> None:
    for query, field in [
        ("period=2026-Q5", "period"),
        ("origin=x", "origin"),
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("cursor=%%%", "cursor"),
        ("include_sub=maybe", "include_sub"),
    ]:
        response = await client.get(f"/api/inspections?{query}", headers=world["lead"].headers)
        assert response.status_code in (400, 422), query
        assert field in [e["field"] for e in response.json()["errors"]], (query, response.text)


async def test_list_agency_out_of_scope_is_not_found(client, world) -> None:
    response = await client.get(
        f"/api/inspections?agency_id={world['tree']['B']['id']}", headers=world["lead"].headers
    )
    assert response.status_code == 404


async def test_keyset_pagination_walks_every_case_once(client, world) -> None:
    made = [(await make_inspection(world["lead"], [world["subject"]]))["id"] for _ in range(5)]
    seen: list[int] = []
    url = "/api/inspections?limit=2"
    while True:
        page = (await client.get(url, headers=world["lead"].headers)).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/api/inspections?limit=2&cursor={page['next_cursor']}"
    assert seen == sorted(made, reverse=True)
