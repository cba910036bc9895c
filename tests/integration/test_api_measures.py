"""Measures through the API: fields, derived progress, write-off, scope, versions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.tables import Measure
from tests.factories import (
    concluded_case,
    make_finding,
    make_measure,
    make_subject,
    make_user,
    row_count,
)
from tests.integration.approval_support import approve, decide

# Storage-layer behaviour: these run on SQLite (the embedded default) too.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    return {**people, "case": await concluded_case(people["lead"], [await make_subject()])}


async def test_create_a_measure_with_every_field(client, world) -> None:
    finding = await make_finding(world["lead"], world["case"])
    body = {
        "type": "recover_land",
        "finding_id": finding["id"],
        "description": "Thu hồi diện tích đất sử dụng sai mục đích",
        "land_m2": "1250.50",
        "decision_no": "25/KL-TTr",
        "decision_date": "2026-03-10",
        "responsible": "UBND huyện Kim Bảng",
        "due_on": "2026-06-30",
    }
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/measures", json=body, headers=world["lead"].headers
    )
    assert response.status_code == 201, response.text
    measure = response.json()
    assert measure["status"] == "open"
    assert measure["land_m2"] == "1250.50"
    assert (measure["done_vnd"], measure["done_m2"], measure["done_count"]) == (0, "0.00", 0)
    assert measure["unit"] == "m2"
    assert measure["remaining"] == "1250.50"
    # Due 30/06/2026, today is later and nothing is done.
    assert measure["overdue"] is True
    assert measure["version"] == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "hang"}, "type"),
        ({"amount_vnd": -5}, "amount_vnd"),
        ({"land_m2": "1,5,5"}, "land_m2"),
        ({"individuals": -1}, "individuals"),
        ({"decision_date": "2099-01-01"}, "decision_date"),
        ({"finding_id": 424242}, "finding_id"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(client, world, fields, field) -> None:
    body = {
        "type": "recover_money",
        "amount_vnd": 1_000,
        "description": "Thu hồi",
        "due_on": "2026-06-30",
        **fields,
    }
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/measures", json=body, headers=world["lead"].headers
    )
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await row_count(Measure) == 0


async def test_write_off_needs_a_lead_and_a_reason(client, world) -> None:
    measure = await make_measure(world["lead"], world["case"])
    path = f"/api/measures/{measure['id']}"
    by_inspector = await client.patch(
        path,
        json={"version": 1, "status": "written_off", "written_off_reason": "Doanh nghiệp giải thể"},
        headers=world["inspector"].headers,
    )
    no_reason = await client.patch(
        path, json={"version": 1, "status": "written_off"}, headers=world["lead"].headers
    )
    ok = await client.patch(
        path,
        json={"version": 1, "status": "written_off", "written_off_reason": "Doanh nghiệp giải thể"},
        headers=world["lead"].headers,
    )
    assert by_inspector.status_code == 403
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "written_off_reason"
    # Writing off waits for a second person: the measure is unchanged until approved.
    assert ok.status_code == 202, ok.text
    assert ok.json()["status"] == "open"
    pending = ok.json()["pending_approval"]
    own = await decide(client, world["lead"], pending["id"])
    assert own.status_code == 403
    await approve(client, await make_user(world["tree"]["P"], "head"), pending["id"])
    written_off = (await client.get(path, headers=world["lead"].headers)).json()
    assert written_off["status"] == "written_off"
    assert written_off["overdue"] is False
    assert written_off["written_off_reason"] == "Doanh nghiệp giải thể"


async def test_policy_measure_is_marked_done_and_a_money_one_is_not(client, world) -> None:
    policy = await make_measure(world["lead"], world["case"], type="policy", amount_vnd=0)
    money = await make_measure(world["lead"], world["case"])
    done = await client.patch(
        f"/api/measures/{policy['id']}",
        json={"version": 1, "status": "done"},
        headers=world["lead"].headers,
    )
    refused = await client.patch(
        f"/api/measures/{money['id']}",
        json={"version": 1, "status": "done"},
        headers=world["lead"].headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"


async def test_discipline_counts_people(client, world) -> None:
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/measures",
        json={
            "type": "discipline",
            "collectives": 1,
            "individuals": 3,
            "description": "Kiểm điểm trách nhiệm",
            "due_on": "2026-06-30",
        },
        headers=world["lead"].headers,
    )
    assert response.status_code == 201
    assert (response.json()["unit"], response.json()["remaining"]) == ("count", "4")


async def test_stale_version_and_scope(client, world) -> None:
    measure = await make_measure(world["lead"], world["case"])
    path = f"/api/measures/{measure['id']}"
    # After the conclusion a new deadline is a correction: it needs its reason.
    no_reason = await client.patch(
        path, json={"version": 1, "due_on": "2026-09-30"}, headers=world["lead"].headers
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    ok = await client.patch(
        path,
        json={"version": 1, "due_on": "2026-09-30", "reason": "Gia hạn theo Văn bản 12/UBND"},
        headers=world["lead"].headers,
    )
    stale = await client.patch(
        path,
        json={"version": 1, "due_on": "2026-12-31", "reason": "Gia hạn lần hai"},
        headers=world["lead"].headers,
    )
    hidden = await client.get(path, headers=world["outsider"].headers)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert hidden.status_code == 404
    stored = await Measure.select(Measure.due_on, Measure.version).first()
    assert stored == {"due_on": date(2026, 9, 30), "version": 2}
    listed = await client.get(
        f"/api/inspections/{world['case']['id']}/measures", headers=world["lead"].headers
    )
    assert [m["id"] for m in listed.json()["items"]] == [measure["id"]]
