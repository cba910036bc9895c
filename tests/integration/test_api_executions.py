"""Executions through the API: progress of the measure, never beyond its target."""

from __future__ import annotations

from typing import Any

import pytest

from models.tables import Execution, Measure
from tests.factories import (
    concluded_case,
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
    case = await concluded_case(people["lead"], [await make_subject()])
    measure = await make_measure(people["lead"], case, amount_vnd=100_000_000)
    return {**people, "case": case, "measure": measure}


async def _post(client, actor, measure_id: int, body: dict[str, Any]):
    return await client.post(
        f"/api/measures/{measure_id}/executions", json=body, headers=actor.headers
    )


async def test_executions_add_up_and_set_the_status(client, world) -> None:
    lead, measure_id = world["lead"], world["measure"]["id"]
    first = await _post(
        client,
        lead,
        measure_id,
        {"date": "2026-04-01", "amount_vnd": 40_000_000, "document_no": "GNT-01"},
    )
    assert first.status_code == 201, first.text
    assert first.json()["amount_vnd"] == 40_000_000
    measure = (await client.get(f"/api/measures/{measure_id}", headers=lead.headers)).json()
    assert (measure["status"], measure["done_vnd"], measure["remaining"]) == (
        "partial",
        40_000_000,
        "60000000",
    )
    second = await _post(client, lead, measure_id, {"date": "2026-04-15", "amount_vnd": 60_000_000})
    assert second.status_code == 201
    measure = (await client.get(f"/api/measures/{measure_id}", headers=lead.headers)).json()
    assert (measure["status"], measure["done_vnd"], measure["completed_on"]) == (
        "done",
        100_000_000,
        "2026-04-15",
    )
    listed = await client.get(f"/api/measures/{measure_id}/executions", headers=lead.headers)
    assert [e["amount_vnd"] for e in listed.json()["items"]] == [40_000_000, 60_000_000]


async def test_more_than_remains_is_422_and_not_stored(client, world) -> None:
    lead, measure_id = world["lead"], world["measure"]["id"]
    await _post(client, lead, measure_id, {"date": "2026-04-01", "amount_vnd": 90_000_000})
    response = await _post(
        client, lead, measure_id, {"date": "2026-04-02", "amount_vnd": 10_000_001}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount_vnd"
    assert await row_count(Execution) == 1
    assert (await Measure.select(Measure.done_vnd).first())["done_vnd"] == 90_000_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-04-01"}, "amount_vnd"),
        ({"date": "2026-04-01", "amount_vnd": 0}, "amount_vnd"),
        ({"date": "2026-04-01", "amount_vnd": -5}, "amount_vnd"),
        ({"date": "2026-04-01", "land_m2": "10.00"}, "land_m2"),
        ({"date": "2099-04-01", "amount_vnd": 5}, "date"),
        ({"amount_vnd": 5}, "date"),
    ],
)
async def test_bad_input_names_the_field(client, world, body, field) -> None:
    response = await _post(client, world["lead"], world["measure"]["id"], body)
    assert response.status_code in (400, 422), response.text
    assert field in " ".join(e["field"] + e["message"] for e in response.json()["errors"])
    assert await row_count(Execution) == 0


async def test_land_and_count_measures_take_their_own_unit(client, world) -> None:
    land = await make_measure(
        world["lead"], world["case"], type="recover_land", amount_vnd=0, land_m2="100.50"
    )
    people = await make_measure(
        world["lead"], world["case"], type="discipline", amount_vnd=0, individuals=2
    )
    ok_land = await _post(
        client, world["lead"], land["id"], {"date": "2026-04-01", "land_m2": "100.5"}
    )
    ok_people = await _post(client, world["lead"], people["id"], {"date": "2026-04-01", "count": 2})
    assert ok_land.status_code == 201 and ok_land.json()["land_m2"] == "100.50"
    assert ok_people.status_code == 201 and ok_people.json()["count"] == 2
    rows = await Measure.select(Measure.status).where(Measure.id.is_in([land["id"], people["id"]]))
    assert [r["status"] for r in rows] == ["done", "done"]


async def test_scope_and_roles(client, world) -> None:
    measure_id = world["measure"]["id"]
    hidden = await _post(
        client, world["outsider"], measure_id, {"date": "2026-04-01", "amount_vnd": 1}
    )
    viewer = await _post(
        client, world["viewer"], measure_id, {"date": "2026-04-01", "amount_vnd": 1}
    )
    listed = await client.get(
        f"/api/measures/{measure_id}/executions", headers=world["outsider"].headers
    )
    assert (hidden.status_code, viewer.status_code, listed.status_code) == (404, 403, 404)
    assert await row_count(Execution) == 0


async def test_written_off_measure_takes_no_execution(client, world) -> None:
    lead, measure_id = world["lead"], world["measure"]["id"]
    asked = await client.patch(
        f"/api/measures/{measure_id}",
        json={"version": 1, "status": "written_off", "written_off_reason": "Giải thể"},
        headers=lead.headers,
    )
    head = await make_user(world["tree"]["P"], "head")
    await approve(client, head, asked.json()["pending_approval"]["id"])
    response = await _post(client, lead, measure_id, {"date": "2026-04-01", "amount_vnd": 1})
    assert response.status_code == 409
    assert await row_count(Execution) == 0
