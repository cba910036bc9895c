"""Subjects through the API: shared reference data, accent-insensitive search, history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.tables import Subject
from tests.factories import (
    concluded_case,
    event,
    make_finding,
    make_inspection,
    make_measure,
    make_subject,
    row_count,
)

# Storage-layer behaviour: these run on SQLite (the embedded default) too.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    return people


async def test_register_and_find_without_accents(client, world) -> None:
    body = {
        "kind": "enterprise",
        "name": "Công ty TNHH Thương mại Hà Nam",
        "tax_code": "0700123456",
        "address": "Phủ Lý, Hà Nam",
        "sector": "Thương mại",
    }
    created = await client.post("/api/subjects", json=body, headers=world["inspector"].headers)
    assert created.status_code == 201, created.text
    assert created.json()["tax_code"] == "0700123456"
    await make_subject("Hợp tác xã Đông Anh", "0100000001")

    found = await client.get("/api/subjects?q=ha%20nam", headers=world["outsider"].headers)
    by_tax = await client.get("/api/subjects?tax_code=0100000001", headers=world["viewer"].headers)

    # Subjects are shared: a user of another branch finds them too.
    assert [s["name"] for s in found.json()["items"]] == ["Công ty TNHH Thương mại Hà Nam"]
    assert [s["name"] for s in by_tax.json()["items"]] == ["Hợp tác xã Đông Anh"]
    one = await client.get(
        f"/api/subjects/{created.json()['id']}", headers=world["outsider"].headers
    )
    assert one.status_code == 200


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "company"}, "kind"),
        ({"name": ""}, "name"),
        ({"tax_code": "12345"}, "tax_code"),
        ({"tax_code": None}, "tax_code"),  # an enterprise needs its tax code
        ({"tax_code": "0100000009"}, "tax_code"),  # already registered
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(client, world, fields, field) -> None:
    await make_subject("Đã có", "0100000009")
    body = {"kind": "enterprise", "name": "Công ty A", "tax_code": "0100000010", **fields}
    response = await client.post("/api/subjects", json=body, headers=world["inspector"].headers)
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await row_count(Subject) == 1


async def test_viewer_cannot_register(client, world) -> None:
    response = await client.post(
        "/api/subjects",
        json={"kind": "individual", "name": "Nguyễn Văn B"},
        headers=world["viewer"].headers,
    )
    assert response.status_code == 403
    assert await row_count(Subject) == 0


async def test_patch_with_version(client, world) -> None:
    subject_id = await make_subject("Công ty Cũ", "0100000002")
    path = f"/api/subjects/{subject_id}"
    ok = await client.patch(
        path, json={"version": 1, "name": "Công ty Mới"}, headers=world["inspector"].headers
    )
    stale = await client.patch(
        path, json={"version": 1, "name": "Công ty Khác"}, headers=world["inspector"].headers
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert stale.status_code == 409
    found = await client.get("/api/subjects?q=cong%20ty%20moi", headers=world["lead"].headers)
    assert [s["id"] for s in found.json()["items"]] == [subject_id]
    assert (
        await client.get("/api/subjects/999999", headers=world["lead"].headers)
    ).status_code == 404


async def test_history_shows_only_cases_in_scope_with_outcomes(client, world) -> None:
    subject_id = await make_subject("Công ty Xây dựng Hà Nam", "0700000001")
    case = await concluded_case(world["lead"], [subject_id])
    finding = await make_finding(world["lead"], case, amount_vnd=300_000_000, land_m2="20.00")
    await make_finding(world["lead"], case, amount_vnd=25_000_000, land_m2="5.25")
    await make_measure(
        world["lead"], case, type="admin_fine", amount_vnd=50_000_000, finding_id=finding["id"]
    )
    outside = await make_inspection(world["outsider"], [subject_id])
    await event(world["outsider"], outside, "announce", date(2026, 2, 1))

    mine = await client.get(f"/api/subjects/{subject_id}/history", headers=world["viewer"].headers)
    theirs = await client.get(
        f"/api/subjects/{subject_id}/history", headers=world["outsider"].headers
    )

    assert mine.status_code == 200, mine.text
    [entry] = mine.json()["items"]
    assert entry["code"] == case["code"]
    # Summed over both findings of the case, land to the hundredth of a m².
    assert entry["violation_vnd"] == 325_000_000
    assert entry["violation_m2"] == "25.25"
    assert entry["sanction_vnd"] == 50_000_000
    assert [m["type"] for m in entry["measures"]] == ["admin_fine"]
    assert [e["code"] for e in theirs.json()["items"]] == [outside["code"]]
