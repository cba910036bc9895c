"""Four-eyes approvals and corrections without erasing (issue: records that can be trusted).

What closes a case or reduces what is owed waits for a second person: the request changes
nothing, the requester cannot approve it, the lead of the case cannot either, a head or the
lead of another case can; approving makes the change with both names on its audit row;
a record changed since the request is asked again. Executions are reversed by a negative
entry citing them; findings are withdrawn with a reason; nothing is deleted.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from inspect_app.services import audit
from models.tables import Agency, Approval, Execution, Finding, Measure, Notification
from tests.factories import (
    concluded_case,
    make_finding,
    make_inspection,
    make_measure,
    make_subject,
    make_user,
    row_count,
)
from tests.integration.approval_support import approve, decide

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    """A concluded case of A led by ``case_lead`` (a lead), the inspector on its team."""
    tree = people["tree"]
    case_lead = await make_user(tree["A"], "lead", name="Nguyễn Văn Trưởng")
    subject = await make_subject()
    case = await concluded_case(case_lead, [subject])
    await _set_team(case["id"], case_lead.id, [people["inspector"].id])
    return {
        **people,
        "case": case,
        "case_lead": case_lead,
        "head": await make_user(tree["P"], "head", name="Trần Thị Duyệt"),
        "other_lead": await make_user(tree["A"], "lead", name="Lê Văn Khác"),
    }


async def _set_team(case_id: int, lead_id: int, member_ids: list[int]) -> None:
    from models.tables import Inspection, InspectionMember

    await Inspection.update({Inspection.lead_user: lead_id}).where(Inspection.id == case_id)
    for user_id in member_ids:
        await InspectionMember.insert(InspectionMember(inspection=case_id, user=user_id))


async def _ask_write_off(client: Any, actor: Any, measure_id: int, version: int = 1) -> Any:
    return await client.patch(
        f"/api/measures/{measure_id}",
        json={"version": version, "status": "written_off", "written_off_reason": "Giải thể"},
        headers=actor.headers,
    )


async def _measure(client: Any, actor: Any, measure_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/measures/{measure_id}", headers=actor.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_write_off_waits_for_a_second_person_and_names_both(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"])
    asked = await _ask_write_off(client, world["case_lead"], measure["id"])
    assert asked.status_code == 202, asked.text
    pending = asked.json()["pending_approval"]
    assert (pending["kind"], pending["status"], pending["reason"]) == (
        "measure_write_off",
        "pending",
        "Giải thể",
    )
    assert (await _measure(client, world["lead"], measure["id"]))["status"] == "open"

    # The requester and the lead of the case may not approve; the list says so.
    listed = await client.get("/api/approvals", headers=world["case_lead"].headers)
    assert [(a["id"], a["can_decide"], a["can_withdraw"]) for a in listed.json()["items"]] == [
        (pending["id"], False, True)
    ]
    assert (await decide(client, world["case_lead"], pending["id"])).status_code == 403
    by_head = await client.get("/api/approvals", headers=world["head"].headers)
    assert by_head.json()["items"][0]["can_decide"] is True
    hidden = await client.get("/api/approvals", headers=world["outsider"].headers)
    assert hidden.json()["items"] == []
    out_of_scope = await client.post(
        f"/api/approvals/{pending['id']}/decision",
        json={"decision": "approve", "version": 1},
        headers=world["outsider"].headers,
    )
    assert out_of_scope.status_code == 404

    # Those who may approve are told, in their language; the requester and the case's lead
    # are not (the lead of A, a lead of another case, is).
    notices = await Notification.select(
        Notification.user, Notification.title, Notification.link
    ).where(Notification.kind == "approval")
    told = {row["user"] for row in notices}
    assert told == {world["head"].id, world["lead"].id, world["other_lead"].id}
    assert all(row["link"] == "/approvals" for row in notices)
    assert all("Chờ bạn phê duyệt: Dừng theo dõi kiến nghị" in row["title"] for row in notices)
    decided = await approve(client, world["head"], pending["id"])
    answer = await Notification.select(Notification.title).where(
        (Notification.kind == "approval") & (Notification.user == world["case_lead"].id)
    )
    assert [row["title"] for row in answer] == [
        f"Đề nghị của bạn đã được phê duyệt: Dừng theo dõi kiến nghị, cuộc {world['case']['code']}"
    ]
    assert (decided["decided_by_name"], decided["requested_by_name"]) == (
        "Trần Thị Duyệt",
        "Nguyễn Văn Trưởng",
    )
    stored = await _measure(client, world["lead"], measure["id"])
    assert (stored["status"], stored["written_off_reason"]) == ("written_off", "Giải thể")
    rows = await audit.history("measure", measure["id"])
    write_off = next(row for row in rows if row.action == "write_off")
    assert write_off.username == world["head"].principal.username
    assert write_off.after["approval"]["requested_by"] == "Nguyễn Văn Trưởng"
    assert write_off.after["approval"]["approved_by"] == "Trần Thị Duyệt"
    # Decided once: deciding again is refused and changes nothing.
    again = await decide(client, world["head"], pending["id"], "reject")
    assert again.status_code == 409


async def test_the_lead_of_the_case_may_not_approve_but_the_lead_of_another_may(
    client, world
) -> None:
    measure = await make_measure(world["case_lead"], world["case"])
    asked = await _ask_write_off(client, world["lead"], measure["id"])
    pending = asked.json()["pending_approval"]
    refused = await decide(client, world["case_lead"], pending["id"])
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Trưởng đoàn của cuộc này không được phê duyệt")
    by_inspector = await decide(client, world["inspector"], pending["id"])
    assert by_inspector.status_code == 403
    await approve(client, world["other_lead"], pending["id"])
    assert (await _measure(client, world["lead"], measure["id"]))["status"] == "written_off"


async def test_reject_and_withdraw_change_nothing(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"])
    first = (await _ask_write_off(client, world["lead"], measure["id"])).json()
    duplicate = await _ask_write_off(client, world["case_lead"], measure["id"])
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "approval_pending"
    rejected = await decide(
        client, world["head"], first["pending_approval"]["id"], "reject", "Chưa đủ hồ sơ"
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "Chưa đủ hồ sơ"
    second = (await _ask_write_off(client, world["lead"], measure["id"])).json()
    not_theirs = await decide(client, world["head"], second["pending_approval"]["id"], "withdraw")
    assert not_theirs.status_code == 403
    withdrawn = await decide(client, world["lead"], second["pending_approval"]["id"], "withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    stored = await Measure.select(Measure.status, Measure.version).first()
    assert stored == {"status": "open", "version": 1}


async def test_a_record_changed_since_the_request_is_asked_again(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"])
    pending = (await _ask_write_off(client, world["lead"], measure["id"])).json()[
        "pending_approval"
    ]
    paid = await client.post(
        f"/api/measures/{measure['id']}/executions",
        json={"date": "2026-04-01", "amount_vnd": 10_000_000},
        headers=world["inspector"].headers,
    )
    assert paid.status_code == 201, paid.text
    stale = await decide(client, world["head"], pending["id"])
    assert stale.status_code == 409 and stale.json()["code"] == "changed_since_request"
    assert (await Approval.select(Approval.status).first())["status"] == "pending"
    assert (await _measure(client, world["lead"], measure["id"]))["status"] == "partial"


async def test_a_failure_while_applying_leaves_the_request_and_the_record(
    client, world, monkeypatch
) -> None:
    measure = await make_measure(world["case_lead"], world["case"])
    pending = (await _ask_write_off(client, world["lead"], measure["id"])).json()[
        "pending_approval"
    ]
    original = audit.record

    async def failing(action: str, **kwargs: Any) -> None:
        if action == "approval.approve":
            raise RuntimeError("injected after the change was written")
        await original(action, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    failed = await decide(client, world["head"], pending["id"])
    assert failed.status_code == 500  # the injected fault, not a rule
    monkeypatch.setattr(audit, "record", original)
    assert (await Approval.select(Approval.status).first())["status"] == "pending"
    stored = await Measure.select(Measure.status, Measure.version).first()
    assert stored == {"status": "open", "version": 1}
    assert not any(r.action == "write_off" for r in await audit.history("measure", measure["id"]))


async def test_reducing_a_target_waits_and_raising_it_does_not(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"], amount_vnd=1_000_000_000)
    path = f"/api/measures/{measure['id']}"
    headers = world["case_lead"].headers
    no_reason = await client.patch(
        path, json={"version": 1, "amount_vnd": 900_000_000}, headers=headers
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    reduced = await client.patch(
        path,
        json={"version": 1, "amount_vnd": 900_000_000, "reason": "Đính chính"},
        headers=headers,
    )
    assert reduced.status_code == 202 and reduced.json()["amount_vnd"] == 1_000_000_000
    await approve(client, world["head"], reduced.json()["pending_approval"]["id"])
    assert (await _measure(client, world["lead"], measure["id"]))["amount_vnd"] == 900_000_000
    raised = await client.patch(
        path, json={"version": 2, "amount_vnd": 950_000_000, "reason": "Bổ sung"}, headers=headers
    )
    assert raised.status_code == 200 and raised.json()["amount_vnd"] == 950_000_000


async def test_a_fine_above_the_threshold_waits_one_at_it_does_not(client, world) -> None:
    admin = await make_user(world["tree"]["P"], "admin")
    agency = f"/api/agencies/{world['tree']['A']['id']}"
    negative = await client.patch(
        agency, json={"version": 1, "fine_approval_vnd": -1}, headers=admin.headers
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "fine_approval_vnd"
    set_ = await client.patch(
        agency, json={"version": 1, "fine_approval_vnd": 500_000_000}, headers=admin.headers
    )
    assert set_.status_code == 200 and set_.json()["fine_approval_vnd"] == 500_000_000, set_.text
    path = f"/api/inspections/{world['case']['id']}/measures"
    body = {
        "type": "admin_fine",
        "reason": "Mức phạt theo Nghị định 125/2020/NĐ-CP",
        "description": "Phạt vi phạm hành chính",
        "decision_no": "12/QĐ-XPHC",
        "decision_date": "2026-03-12",
        "due_on": "2026-04-30",
    }
    at = await client.post(
        path, json={**body, "amount_vnd": 500_000_000}, headers=world["lead"].headers
    )
    assert at.status_code == 201, at.text
    above = await client.post(
        path, json={**body, "amount_vnd": 500_000_001}, headers=world["lead"].headers
    )
    assert above.status_code == 202, above.text
    assert await row_count(Measure) == 1
    decided = await approve(client, world["head"], above.json()["pending_approval"]["id"])
    assert await row_count(Measure) == 2
    created = await _measure(client, world["lead"], decided["result_id"])
    assert created["amount_vnd"] == 500_000_001


async def test_an_execution_is_reversed_by_a_negative_entry_citing_it(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"], amount_vnd=100_000_000)
    pay = f"/api/measures/{measure['id']}/executions"
    # Typed out of date order: 60 on 20/07, then 40 on 10/02... (announced 12/01, concluded 10/03)
    late = await client.post(
        pay,
        json={"date": "2026-07-20", "amount_vnd": 60_000_000},
        headers=world["inspector"].headers,
    )
    early = await client.post(
        pay,
        json={"date": "2026-04-10", "amount_vnd": 40_000_000},
        headers=world["inspector"].headers,
    )
    assert late.status_code == early.status_code == 201
    assert (await _measure(client, world["lead"], measure["id"]))["completed_on"] == "2026-07-20"
    reverse = f"/api/executions/{early.json()['id']}/reversal"
    by_member = await client.post(
        reverse, json={"reason": "Nhầm chứng từ"}, headers=world["inspector"].headers
    )
    assert by_member.status_code == 403
    refused = await client.post(
        reverse, json={"reason": "x", "date": "2026-04-09"}, headers=world["case_lead"].headers
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "date"
    no_reason = await client.post(reverse, json={"reason": ""}, headers=world["case_lead"].headers)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    asked = await client.post(
        reverse,
        json={"reason": "Nhầm chứng từ", "date": "2026-08-03"},
        headers=world["case_lead"].headers,
    )
    assert asked.status_code == 202, asked.text
    assert (await _measure(client, world["lead"], measure["id"]))["done_vnd"] == 100_000_000
    decided = await approve(client, world["head"], asked.json()["pending_approval"]["id"])

    stored = await _measure(client, world["lead"], measure["id"])
    assert (stored["done_vnd"], stored["status"], stored["completed_on"]) == (
        60_000_000,
        "partial",
        None,
    )
    entries = (await client.get(pay, headers=world["lead"].headers)).json()["items"]
    assert [(e["amount_vnd"], e["reverses"], e["reversed_by"]) for e in entries] == [
        (60_000_000, None, None),
        (40_000_000, None, decided["result_id"]),
        (-40_000_000, early.json()["id"], None),
    ]
    assert await row_count(Execution) == 3  # nothing deleted
    again = await client.post(
        reverse, json={"reason": "Lần nữa"}, headers=world["case_lead"].headers
    )
    assert again.status_code == 409 and again.json()["code"] == "already_reversed"
    of_reversal = await client.post(
        f"/api/executions/{decided['result_id']}/reversal",
        json={"reason": "x"},
        headers=world["case_lead"].headers,
    )
    assert of_reversal.status_code == 409 and of_reversal.json()["code"] == "reversal_of_reversal"
    # Paid again in full: complete on the day the ledger, in date order, reached the target.
    repaid = await client.post(
        pay,
        json={"date": "2026-08-10", "amount_vnd": 40_000_000},
        headers=world["inspector"].headers,
    )
    assert repaid.status_code == 201
    assert (await _measure(client, world["lead"], measure["id"]))["completed_on"] == "2026-08-10"


async def test_the_reversal_counts_in_its_own_period_and_the_year_adds_up(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"], amount_vnd=100_000_000)
    pay = f"/api/measures/{measure['id']}/executions"
    paid = await client.post(
        pay,
        json={"date": "2026-05-04", "amount_vnd": 70_000_000},
        headers=world["inspector"].headers,
    )
    asked = await client.post(
        f"/api/executions/{paid.json()['id']}/reversal",
        json={"reason": "Hoàn trả do nộp nhầm", "date": "2026-07-01"},
        headers=world["case_lead"].headers,
    )
    await approve(client, world["head"], asked.json()["pending_approval"]["id"])

    async def recovered(period: str) -> int:
        response = await client.get(
            f"/api/totals?agency_id={world['tree']['A']['id']}&period={period}",
            headers=world["head"].headers,
        )
        assert response.status_code == 200, response.text
        return int(response.json()["implementation"]["recovered_vnd"])

    # Q2 keeps what it reported; Q3 shows the reversal; the year nets to zero.
    assert await recovered("2026-Q2") == 70_000_000
    assert await recovered("2026-Q3") == -70_000_000
    quarters = [await recovered(f"2026-Q{n}") for n in range(1, 5)]
    assert sum(quarters) == await recovered("2026-Y") == 0
    assert sum(quarters[:2]) == await recovered("2026-6M")
    assert sum(quarters[:3]) == await recovered("2026-9M")


async def test_a_finding_is_withdrawn_with_its_reason_and_kept(client, world) -> None:
    finding = await make_finding(world["case_lead"], world["case"])
    path = f"/api/findings/{finding['id']}"
    no_reason = await client.delete(path, headers=world["lead"].headers)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    withdrawn = await client.delete(f"{path}?reason=Trùng lặp", headers=world["lead"].headers)
    assert withdrawn.status_code == 204
    stored = await Finding.select(Finding.withdrawn_reason, Finding.deleted_at).first()
    assert stored["withdrawn_reason"] == "Trùng lặp" and stored["deleted_at"] is not None
    assert (await client.get(path, headers=world["lead"].headers)).status_code == 404


async def test_only_the_team_changes_a_case_other_inspectors_read_it(client, world) -> None:
    outsider = await make_user(world["tree"]["A"], "inspector")
    case_id = world["case"]["id"]
    measure = await make_measure(world["case_lead"], world["case"])
    finding_body = {
        "subject_id": world["case"]["subject_ids"][0],
        "description": "Chi sai",
        "amount_vnd": 5,
    }
    for actor, expected in ((outsider, 403), (world["inspector"], 201)):
        finding = await client.post(
            f"/api/inspections/{case_id}/findings", json=finding_body, headers=actor.headers
        )
        paid = await client.post(
            f"/api/measures/{measure['id']}/executions",
            json={"date": "2026-04-01", "amount_vnd": 1_000},
            headers=actor.headers,
        )
        assert (finding.status_code, paid.status_code) == (expected, expected), (
            finding.text,
            paid.text,
        )
    assert (
        await client.get(f"/api/inspections/{case_id}", headers=outsider.headers)
    ).status_code == 200
    # A member does not take the lead's steps; the lead of the case does, whatever their role.
    draft = await make_inspection(world["lead"], [await make_subject()])
    await _set_team(draft["id"], world["inspector"].id, [outsider.id])
    announce = {"type": "announce", "date": "2026-03-02", "version": 1}
    by_member = await client.post(
        f"/api/inspections/{draft['id']}/events", json=announce, headers=outsider.headers
    )
    assert by_member.status_code == 200, by_member.text
    end = {"type": "end_onsite", "date": "2026-03-20", "version": 2}
    member_end = await client.post(
        f"/api/inspections/{draft['id']}/events", json=end, headers=outsider.headers
    )
    assert member_end.status_code == 403
    lead_end = await client.post(
        f"/api/inspections/{draft['id']}/events", json=end, headers=world["inspector"].headers
    )
    assert lead_end.status_code == 200, lead_end.text


async def test_the_reversal_and_correction_forms_come_back_with_every_error(client, world) -> None:
    from tests.integration.test_case_pages import sign_in

    measure = await make_measure(world["case_lead"], world["case"], amount_vnd=100_000_000)
    paid = await client.post(
        f"/api/measures/{measure['id']}/executions",
        json={"date": "2026-04-10", "amount_vnd": 40_000_000},
        headers=world["inspector"].headers,
    )
    csrf = await sign_in(client, world["case_lead"])
    refused = await client.post(
        f"/measures/{measure['id']}/reversals",
        data={
            "_csrf_token": csrf,
            "execution_id": str(paid.json()["id"]),
            "reversal_date": "09/04/2026",
            "reason": "",
        },
    )
    assert refused.status_code == 422
    page = refused.text
    assert "Phải từ 10/04/2026, ngày của bút toán bị hủy, trở đi." in page
    assert "Nêu lý do của thay đổi này." in page
    assert 'value="09/04/2026"' in page  # what was typed stays
    assert await row_count(Approval) == 0
    unknown = await client.post(
        f"/measures/{measure['id']}/reversals",
        data={"_csrf_token": csrf, "execution_id": "99999999999", "reason": "x"},
    )
    assert unknown.status_code == 422 and "Chọn một giá trị trong danh sách" in unknown.text
    asked = await client.post(
        f"/measures/{measure['id']}/reversals",
        data={
            "_csrf_token": csrf,
            "execution_id": str(paid.json()["id"]),
            "reversal_date": "03/08/2026",
            "reason": "Nhầm chứng từ",
        },
    )
    assert asked.status_code == 200 and "Đã gửi đề nghị" in asked.text
    assert await row_count(Approval) == 1

    no_reason = await client.post(
        f"/measures/{measure['id']}/edit",
        data={
            "_csrf_token": csrf,
            "version": "2",
            "type": "recover_money",
            "amount_vnd": "90.000.000",
            "description": "Thu hồi về ngân sách nhà nước",
            "due_on": "30/06/2026",
        },
    )
    assert no_reason.status_code == 422
    assert "Nêu lý do của thay đổi này." in no_reason.text
    assert 'value="90.000.000"' in no_reason.text
    assert (await _measure(client, world["lead"], measure["id"]))["amount_vnd"] == 100_000_000


async def test_the_audit_page_names_kinds_of_record_and_people_in_words(client, world) -> None:
    from tests.integration.test_case_pages import sign_in

    measure = await make_measure(world["case_lead"], world["case"])
    pending = (await _ask_write_off(client, world["lead"], measure["id"])).json()
    await approve(client, world["head"], pending["pending_approval"]["id"])
    await sign_in(client, world["head"])
    raw = (await client.get(f"/audit?entity_type=measure&entity_id={measure['id']}")).text
    page = unicodedata.normalize("NFC", raw)
    assert re.search(unicodedata.normalize("NFC", r'value="inspection"\s*>Cuộc thanh tra<'), page)
    assert "Đề nghị phê duyệt" in page and "Đã phê duyệt" in page
    assert "Trần Thị Duyệt" in page and "Nguyễn Văn Trưởng" in page


async def test_closing_from_the_case_page_waits_and_is_shown_there(client, world) -> None:
    from tests.integration.test_case_pages import sign_in

    case_id = world["case"]["id"]
    measure = await make_measure(world["case_lead"], world["case"], amount_vnd=1_000_000)
    await client.post(
        f"/api/measures/{measure['id']}/executions",
        json={"date": "2026-04-01", "amount_vnd": 1_000_000},
        headers=world["inspector"].headers,
    )
    current = (
        await client.get(f"/api/inspections/{case_id}", headers=world["lead"].headers)
    ).json()
    csrf = await sign_in(client, world["case_lead"])
    response = await client.post(
        f"/inspections/{case_id}/events",
        data={
            "_csrf_token": csrf,
            "type": "close",
            "version": str(current["version"]),
            "date": "05/05/2026",
            "note": "Mọi kiến nghị đã thực hiện xong",
        },
    )
    assert response.status_code == 200
    page = response.text
    assert "Đã gửi đề nghị" in page
    assert 'id="approvals"' in page and "Mọi kiến nghị đã thực hiện xong" in page
    assert 'data-testid="withdraw"' in page and 'data-testid="approve"' not in page
    stored = (await client.get(f"/api/inspections/{case_id}", headers=world["lead"].headers)).json()
    assert stored["status"] == "concluded"
    # The head approves from the case page itself and comes back to it.
    csrf = await sign_in(client, world["head"])
    request = (await client.get("/api/approvals", headers=world["head"].headers)).json()["items"][0]
    decided = await client.post(
        f"/approvals/{request['id']}/decision",
        data={
            "_csrf_token": csrf,
            "decision": "approve",
            "version": str(request["version"]),
            "next": f"/inspections/{case_id}",
        },
    )
    assert decided.status_code == 200 and str(decided.url).endswith(f"/inspections/{case_id}")
    closed = (await client.get(f"/api/inspections/{case_id}", headers=world["lead"].headers)).json()
    assert (closed["status"], closed["closed_on"]) == ("closed", "2026-05-05")


async def test_a_request_without_its_reason_is_refused_naming_the_field(client, world) -> None:
    await Agency.update({Agency.fine_approval_vnd: 500_000_000}).where(
        Agency.id == world["tree"]["A"]["id"]
    )
    fine = await client.post(
        f"/api/inspections/{world['case']['id']}/measures",
        json={
            "type": "admin_fine",
            "amount_vnd": 600_000_000,
            "description": "Phạt vi phạm hành chính",
            "decision_no": "12/QĐ-XPHC",
            "decision_date": "2026-03-12",
            "due_on": "2026-04-30",
        },
        headers=world["lead"].headers,
    )
    assert fine.status_code == 422 and fine.json()["errors"][0]["field"] == "reason"
    current = (
        await client.get(f"/api/inspections/{world['case']['id']}", headers=world["lead"].headers)
    ).json()
    close = await client.post(
        f"/api/inspections/{world['case']['id']}/events",
        json={"type": "close", "date": "2026-05-05", "version": current["version"]},
        headers=world["case_lead"].headers,
    )
    assert close.status_code == 422 and close.json()["errors"][0]["field"] == "reason"
    assert await row_count(Approval) == 0


async def test_a_reversal_asked_before_the_measure_changed_is_asked_again(client, world) -> None:
    measure = await make_measure(world["case_lead"], world["case"], amount_vnd=100_000_000)
    pay = f"/api/measures/{measure['id']}/executions"
    first = await client.post(
        pay,
        json={"date": "2026-04-10", "amount_vnd": 40_000_000},
        headers=world["inspector"].headers,
    )
    asked = await client.post(
        f"/api/executions/{first.json()['id']}/reversal",
        json={"reason": "Nhầm chứng từ"},
        headers=world["case_lead"].headers,
    )
    await client.post(
        pay,
        json={"date": "2026-04-11", "amount_vnd": 10_000_000},
        headers=world["inspector"].headers,
    )
    stale = await decide(client, world["head"], asked.json()["pending_approval"]["id"])
    assert stale.status_code == 409 and stale.json()["code"] == "changed_since_request"
    assert (await _measure(client, world["lead"], measure["id"]))["done_vnd"] == 50_000_000
    assert await row_count(Execution) == 2


async def test_a_member_may_not_change_the_team_its_lead_may(client, world) -> None:
    case_id = world["case"]["id"]
    draft = await make_inspection(world["lead"], [await make_subject()])
    member = world["inspector"]
    await _set_team(draft["id"], world["case_lead"].id, [member.id])
    current = (await client.get(f"/api/inspections/{draft['id']}", headers=member.headers)).json()
    grab = await client.patch(
        f"/api/inspections/{draft['id']}",
        json={"version": current["version"], "lead_user_id": member.id},
        headers=member.headers,
    )
    assert grab.status_code == 403
    # Editing the case's other details stays open to a member.
    edit = await client.patch(
        f"/api/inspections/{draft['id']}",
        json={"version": current["version"], "scope": "2024-2025"},
        headers=member.headers,
    )
    assert edit.status_code == 200, edit.text
    # An inspector who leads a case names its team.
    other = await make_inspection(world["lead"], [await make_subject()])
    await _set_team(other["id"], member.id, [])
    mine = (await client.get(f"/api/inspections/{other['id']}", headers=member.headers)).json()
    named = await client.patch(
        f"/api/inspections/{other['id']}",
        json={"version": mine["version"], "member_user_ids": [world["case_lead"].id]},
        headers=member.headers,
    )
    assert named.status_code == 200, named.text
    assert case_id  # the concluded case of the world is untouched


async def test_hostile_input_on_the_new_routes_gets_a_4xx_never_a_5xx(client, world) -> None:
    from tests.integration.test_case_pages import sign_in

    measure = await make_measure(world["case_lead"], world["case"])
    pending = (await _ask_write_off(client, world["lead"], measure["id"])).json()
    approval_id = pending["pending_approval"]["id"]
    head = world["head"].headers
    answers = [
        await client.post(
            f"/api/approvals/{approval_id}/decision",
            json={"decision": "approve", "version": 2**63},
            headers=head,
        ),
        await client.post(
            f"/api/approvals/{approval_id}/decision",
            json={"decision": "reject", "version": 1, "note": "x\x00y"},
            headers=head,
        ),
        await client.post(
            "/api/approvals/99999999999/decision",
            json={"decision": "approve", "version": 1},
            headers=head,
        ),
        await client.get("/api/approvals?inspection_id=99999999999", headers=head),
        await client.get("/api/approvals?status=everything", headers=head),
        await client.get("/api/approvals?cursor=%00garbage", headers=head),
        await client.post(
            "/api/executions/99999999999/reversal", json={"reason": "x"}, headers=head
        ),
        await client.post(
            "/api/executions/1/reversal", json={"reason": "x", "date": "0001-01-01"}, headers=head
        ),
        await client.delete(
            f"/api/findings/{(await make_finding(world['case_lead'], world['case']))['id']}"
            "?reason=a%00b",
            headers=head,
        ),
    ]
    csrf = await sign_in(client, world["head"])
    answers += [
        await client.get("/approvals?status=%00"),
        await client.get("/approvals?cursor=zzz"),
        await client.post(
            f"/approvals/{approval_id}/decision",
            data={"_csrf_token": csrf, "decision": "approve", "version": "²"},
        ),
        await client.post(
            f"/measures/{measure['id']}/reversals",
            data={"_csrf_token": csrf, "execution_id": "٣", "reason": "x"},
        ),
    ]
    statuses = [answer.status_code for answer in answers]
    assert all(status < 500 for status in statuses), statuses
    assert (await Approval.select(Approval.status).first())["status"] == "pending"
    assert (await _measure(client, world["lead"], measure["id"]))["status"] == "open"
