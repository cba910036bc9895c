"""The case's own roles: the trưởng đoàn named on a case leads it, whatever their account.

An inspector named team lead of a case takes it from announcement to conclusion (through the
API and on the case page); an inspector of the same agency who is only a member of it, or
not on it, still records only the announcement and the result report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.tables import Inspection
from tests.factories import event, make_inspection, make_subject, make_user

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    tree = people["tree"]
    case_lead = await make_user(tree["A"], "inspector", "Trần Văn Trưởng Đoàn")
    member = await make_user(tree["A"], "inspector", "Lê Thị Thành Viên")
    subject = await make_subject()
    case = await make_inspection(
        people["lead"], [subject], lead_user_id=case_lead.id, member_user_ids=[member.id]
    )
    return {**people, "case_lead": case_lead, "member": member, "case": case}


async def _step(client: Any, actor: Any, case_id: int, body: dict[str, Any]) -> Any:
    version = (await Inspection.select(Inspection.version).where(Inspection.id == case_id))[0]
    return await client.post(
        f"/api/inspections/{case_id}/events",
        json={**body, "version": version["version"]},
        headers=actor.headers,
    )


async def test_the_inspector_who_leads_the_case_takes_it_to_its_conclusion(
    client: Any, world: dict[str, Any]
) -> None:
    case_id = world["case"]["id"]
    steps = [
        {"type": "announce", "date": "2026-01-12", "decision_no": "15/QĐ-TTr"},
        {"type": "extend", "date": "2026-02-10", "days": 10, "decision_no": "20/QĐ-TTr"},
        {"type": "end_onsite", "date": "2026-02-20"},
        {"type": "report", "date": "2026-02-25"},
        {"type": "conclude", "date": "2026-03-10", "conclusion_no": "25/KL-TTr"},
    ]
    for body in steps:
        response = await _step(client, world["case_lead"], case_id, body)
        assert response.status_code == 200, (body["type"], response.text[:300])
    assert response.json()["status"] == "concluded"


@pytest.mark.parametrize("who", ["member", "inspector"])
async def test_an_inspector_who_does_not_lead_the_case_cannot_take_a_lead_s_step(
    client: Any, world: dict[str, Any], who: str
) -> None:
    case_id = world["case"]["id"]
    await event(world["case_lead"], world["case"], "announce", date(2026, 1, 12))
    refused = await _step(client, world[who], case_id, {"type": "end_onsite", "date": "2026-02-20"})
    assert refused.status_code == 403
    status = await Inspection.select(Inspection.status).where(Inspection.id == case_id)
    assert status[0]["status"] == "onsite"


async def test_the_case_page_offers_the_lead_s_steps_to_the_case_lead_only(
    client: Any, world: dict[str, Any]
) -> None:
    await event(world["case_lead"], world["case"], "announce", date(2026, 1, 12))
    path = f"/inspections/{world['case']['id']}"
    lead_page = await client.get(path, headers=world["case_lead"].headers)
    member_page = await client.get(path, headers=world["member"].headers)
    assert lead_page.status_code == member_page.status_code == 200
    for marker in ('value="end_onsite"', 'value="extend"', 'value="suspend"'):
        assert marker in lead_page.text
        assert marker not in member_page.text
