"""Concurrent writers on PostgreSQL: optimistic locking and executions racing on one measure.

The requests run at the same time through the application (asyncio.gather on the test
client), each in its own task with its own pooled connection and its own transaction that
really commits: no test transaction wraps them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from inspect_app.db import is_postgres
from models.tables import Execution, Inspection, Measure
from tests.factories import (
    concluded_case,
    make_inspection,
    make_measure,
    make_subject,
    make_tree,
    make_user,
    row_count,
)

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
async def world() -> dict[str, Any]:
    assert is_postgres(), "the concurrency tests run against PostgreSQL"
    tree = await make_tree()
    return {"lead": await make_user(tree["A"], "lead"), "subject": await make_subject()}


async def test_twenty_patches_with_the_same_version_exactly_one_wins(client, world) -> None:
    lead = world["lead"]
    case = await make_inspection(lead, [world["subject"]])

    responses = await asyncio.gather(
        *[
            client.patch(
                f"/api/inspections/{case['id']}",
                json={"version": 1, "title": f"Tiêu đề số {n}"},
                headers=lead.headers,
            )
            for n in range(20)
        ]
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 19
    winner = next(r.json() for r in responses if r.status_code == 200)
    stored = await Inspection.select(Inspection.title, Inspection.version).first()
    assert stored == {"title": winner["title"], "version": 2}
    assert all(r.json()["code"] == "stale_version" for r in responses if r.status_code == 409)


async def test_fifty_executions_at_once_never_exceed_the_measure(client, world) -> None:
    lead = world["lead"]
    case = await concluded_case(lead, [world["subject"]])
    measure = await make_measure(lead, case, amount_vnd=100_000_000)

    responses = await asyncio.gather(
        *[
            client.post(
                f"/api/measures/{measure['id']}/executions",
                json={"date": "2026-04-01", "amount_vnd": 3_000_000, "document_no": f"GNT-{n}"},
                headers=lead.headers,
            )
            for n in range(50)
        ]
    )

    statuses = [r.status_code for r in responses]
    # 33 payments of 3.000.000 fit in 100.000.000; the 17 others are refused, none fails.
    assert statuses.count(201) == 33
    assert statuses.count(422) == 17
    stored = await Measure.select(Measure.done_vnd, Measure.status).first()
    assert stored == {"done_vnd": 99_000_000, "status": "partial"}
    assert await row_count(Execution) == 33
    rows = await Execution.raw('SELECT SUM(amount_vnd) AS total FROM "execution"')
    assert rows[0]["total"] == 99_000_000


async def test_the_database_check_is_answered_as_422(client, world, monkeypatch) -> None:
    lead = world["lead"]
    case = await concluded_case(lead, [world["subject"]])
    measure = await make_measure(lead, case, amount_vnd=10_000_000)
    # Take the service's own check away: only the CHECK (done <= amount) is left to refuse.
    monkeypatch.setattr(
        "inspect_app.services.executions.check_execution",
        lambda target, done, amount: done + amount,
    )

    response = await client.post(
        f"/api/measures/{measure['id']}/executions",
        json={"date": "2026-04-01", "amount_vnd": 10_000_001},
        headers=lead.headers,
    )

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "amount_vnd"
    assert await row_count(Execution) == 0
    assert (await Measure.select(Measure.done_vnd).first())["done_vnd"] == 0
