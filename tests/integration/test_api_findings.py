"""Findings through the API: amounts, land, subjects of the case, scope, versions."""

from __future__ import annotations

from typing import Any

import pytest

from models.tables import AuditEvent, Finding
from tests.factories import (
    make_finding,
    make_inspection,
    make_measure,
    make_subject,
    row_count,
)

# Storage-layer behaviour: these run on SQLite (the embedded default) too.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    subject = await make_subject()
    return {
        **people,
        "subject": subject,
        "stranger": await make_subject("Công ty khác"),
        "case": await make_inspection(people["lead"], [subject]),
    }


async def test_create_and_read_a_finding(client, world) -> None:
    body = {
        "subject_id": world["subject"],
        "category": "land",
        "description": "Sử dụng đất sai mục đích",
        "legal_basis": "Điều 81 Luật Đất đai 2024",
        "amount_vnd": 1_250_000_000,
        "land_m2": "1250.5",
    }
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/findings", json=body, headers=world["lead"].headers
    )
    assert response.status_code == 201, response.text
    finding = response.json()
    assert finding["land_m2"] == "1250.50"
    assert finding["amount_vnd"] == 1_250_000_000
    assert finding["inspection_id"] == world["case"]["id"]
    assert finding["version"] == 1
    listed = await client.get(
        f"/api/inspections/{world['case']['id']}/findings", headers=world["viewer"].headers
    )
    assert [f["id"] for f in listed.json()["items"]] == [finding["id"]]
    one = await client.get(f"/api/findings/{finding['id']}", headers=world["viewer"].headers)
    assert one.json()["description"] == "Sử dụng đất sai mục đích"
    assert await row_count(AuditEvent) >= 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount_vnd": -1}, "amount_vnd"),
        ({"land_m2": "-3.00"}, "land_m2"),
        ({"land_m2": "12.345"}, "land_m2"),
        ({"land_m2": "abc"}, "land_m2"),
        ({"description": "  "}, "description"),
        ({"subject_id": "stranger"}, "subject_id"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(client, world, fields, field) -> None:
    body = {"subject_id": world["subject"], "description": "Vi phạm", **fields}
    if body["subject_id"] == "stranger":
        body["subject_id"] = world["stranger"]  # not a subject of this case
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/findings", json=body, headers=world["lead"].headers
    )
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await row_count(Finding) == 0


async def test_patch_with_version_and_stale_version(client, world) -> None:
    finding = await make_finding(world["lead"], world["case"])
    path = f"/api/findings/{finding['id']}"
    ok = await client.patch(
        path, json={"version": 1, "amount_vnd": 7_000_000}, headers=world["lead"].headers
    )
    stale = await client.patch(
        path, json={"version": 1, "amount_vnd": 1}, headers=world["lead"].headers
    )
    bad = await client.patch(
        path, json={"version": 2, "land_m2": "-1"}, headers=world["lead"].headers
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "land_m2"
    stored = await Finding.select(Finding.amount_vnd, Finding.version).first()
    assert stored == {"amount_vnd": 7_000_000, "version": 2}


async def test_delete_is_soft_and_refused_while_a_measure_refers_to_it(client, world) -> None:
    used = await make_finding(world["lead"], world["case"])
    free = await make_finding(world["lead"], world["case"])
    await make_measure(world["lead"], world["case"], finding_id=used["id"])

    refused = await client.delete(f"/api/findings/{used['id']}", headers=world["lead"].headers)
    deleted = await client.delete(f"/api/findings/{free['id']}", headers=world["lead"].headers)

    assert refused.status_code == 409
    assert deleted.status_code == 204
    gone = await client.get(f"/api/findings/{free['id']}", headers=world["lead"].headers)
    assert gone.status_code == 404
    assert await row_count(Finding) == 2  # kept, marked deleted


async def test_out_of_scope_and_viewer(client, world) -> None:
    finding = await make_finding(world["lead"], world["case"])
    outsider = world["outsider"].headers
    assert (await client.get(f"/api/findings/{finding['id']}", headers=outsider)).status_code == 404
    patched = await client.patch(
        f"/api/findings/{finding['id']}", json={"version": 1, "amount_vnd": 1}, headers=outsider
    )
    assert patched.status_code == 404
    listed = await client.get(f"/api/inspections/{world['case']['id']}/findings", headers=outsider)
    assert listed.status_code == 404
    viewer = await client.patch(
        f"/api/findings/{finding['id']}",
        json={"version": 1, "amount_vnd": 1},
        headers=world["viewer"].headers,
    )
    assert viewer.status_code == 403
    assert (await Finding.select(Finding.amount_vnd).first())["amount_vnd"] == 500_000_000
