"""Annual plans through the API: one per agency and year, in scope."""

from __future__ import annotations

from typing import Any

import pytest

from models.tables import Plan
from tests.factories import row_count

# Storage-layer behaviour: these run on SQLite (the embedded default) too.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    return people


async def test_create_list_and_read(client, world) -> None:
    body = {
        "year": 2026,
        "title": "Kế hoạch thanh tra năm 2026",
        "decision_no": "120/QĐ-TTr",
        "decision_date": "2025-12-15",
        "status": "approved",
    }
    created = await client.post("/api/plans", json=body, headers=world["lead"].headers)
    child = await client.post(
        "/api/plans",
        json={"year": 2026, "agency_id": world["tree"]["A1"]["id"]},
        headers=world["lead"].headers,
    )
    assert created.status_code == 201, created.text
    assert child.status_code == 201, child.text
    assert created.json()["agency_id"] == world["tree"]["A"]["id"]
    assert child.json()["status"] == "draft"

    everything = await client.get("/api/plans?year=2026", headers=world["lead"].headers)
    own_only = await client.get(
        f"/api/plans?agency_id={world['tree']['A']['id']}&include_sub=false",
        headers=world["lead"].headers,
    )
    hidden = await client.get(
        f"/api/plans/{created.json()['id']}", headers=world["outsider"].headers
    )
    assert [p["id"] for p in everything.json()["items"]] == [
        child.json()["id"],
        created.json()["id"],
    ]
    assert [p["id"] for p in own_only.json()["items"]] == [created.json()["id"]]
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 1800}, "year"),
        ({"year": 2026, "status": "final"}, "status"),
        ({"year": 2026, "status": "approved"}, "decision_no"),
        ({"year": 2026, "decision_date": "2099-01-01"}, "decision_date"),
        ({"year": 2025}, "year"),  # the agency already has a plan for 2025
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(client, world, body, field) -> None:
    await client.post("/api/plans", json={"year": 2025}, headers=world["lead"].headers)
    response = await client.post("/api/plans", json=body, headers=world["lead"].headers)
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await row_count(Plan) == 1


async def test_out_of_scope_agency_and_role(client, world) -> None:
    outside = await client.post(
        "/api/plans",
        json={"year": 2026, "agency_id": world["tree"]["B"]["id"]},
        headers=world["lead"].headers,
    )
    inspector = await client.post(
        "/api/plans", json={"year": 2026}, headers=world["inspector"].headers
    )
    assert outside.status_code == 404
    assert inspector.status_code == 403
    assert await row_count(Plan) == 0


async def test_patch_with_version(client, world) -> None:
    plan = (
        await client.post("/api/plans", json={"year": 2026}, headers=world["lead"].headers)
    ).json()
    path = f"/api/plans/{plan['id']}"
    ok = await client.patch(
        path,
        json={
            "version": 1,
            "status": "approved",
            "decision_no": "5/QĐ",
            "decision_date": "2026-01-02",
        },
        headers=world["lead"].headers,
    )
    stale = await client.patch(
        path, json={"version": 1, "title": "X"}, headers=world["lead"].headers
    )
    hidden = await client.patch(
        path, json={"version": 2, "title": "X"}, headers=world["outsider"].headers
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert stale.status_code == 409
    assert hidden.status_code == 404
    assert (await Plan.select(Plan.title, Plan.version).first()) == {"title": "", "version": 2}
