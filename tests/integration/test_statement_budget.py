"""Statement budgets: the hot pages and writes send a bounded number of statements to the
database, and the same number whatever the size of the case (no query per row).

The counts are the ones the request log writes on each request's line. A budget is what the
code needs today; lowering one is progress, raising one needs a reason in the commit.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import httpx
import pytest

from inspect_app.db import counting_statements
from inspect_app.schemas.cases import ExecutionCreate
from inspect_app.services import executions
from tests.factories import (
    Actor,
    concluded_case,
    make_finding,
    make_inspection,
    make_measure,
    make_subject,
)
from tests.integration.test_case_pages import sign_in

pytestmark = [pytest.mark.usefixtures("db")]

# Statements per request, the session's or token's own read included (BEGIN and COMMIT are
# not counted). docs/performance.md lists them with the path to the targets.
# The case page: the session's user, the case with every list of the page
# (services/case_page.py, the Directive 20 look-up included), the menu.
CASE_PAGE = 3
# The API detail: the token's owner, the case with its links and look-up.
CASE_API = 2
# The recommendation page (services/measure_page.py): the user, the page, the menu. The
# flash message lives in Redis only (sessions.FailoverSessionStore): showing it writes nothing
# to the database.
MEASURE_PAGE = 3
# The measure with its case (locked), the entry, the measure's progress, the audit chain
# (the lock, then the row appended after the chain's head in one statement) and the totals
# markers (the stored periods read and the markers upserted in one statement). The token's
# owner is kept per process. The page's flash message goes to Redis, not the database.
EXECUTION_API_POST = 6
EXECUTION_PAGE_POST = 6
CASE_EVENT_API_POST = 13


async def _case(lead: Actor, findings: int, measures: int, payments: int) -> dict[str, Any]:
    """A concluded case with that many findings, recommendations and executions."""
    case = await concluded_case(lead, [await make_subject()])
    for n in range(findings):
        await make_finding(lead, case, amount_vnd=100_000_000 + n)
    rows = [await make_measure(lead, case, amount_vnd=50_000_000) for _ in range(measures)]
    for n in range(payments):
        await executions.create_execution(
            lead.principal,
            rows[n % len(rows)]["id"],
            ExecutionCreate(amount_vnd=1_000_000, date=date(2026, 4, 1 + n)),
        )
    return {"case": case, "measures": rows}


async def _count(
    caplog: pytest.LogCaptureFixture, call: Any, method: str, route: str
) -> tuple[int, list[str]]:
    """The statements of one request as its log line says, and their text."""
    caplog.clear()
    with counting_statements(keep_texts=True) as tally:
        response: httpx.Response = await call
    assert response.status_code in (200, 201, 303), response.text[:300]
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "inspect_app.requests"]
    mine = [line for line in lines if line["method"] == method and line["route"] == route]
    assert len(mine) == 1, lines
    return int(mine[0]["statements"]), tally.texts or []


def _within(count: int, budget: int, texts: list[str]) -> None:
    listing = "\n".join(t[:160] for t in texts)
    assert count <= budget, f"{count} statements, budget {budget}:\n{listing}"


async def test_the_case_page_and_api_cost_the_same_for_a_small_and_a_big_case(
    client: httpx.AsyncClient, people: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="inspect_app.requests")
    lead = people["lead"]
    small = await _case(lead, findings=1, measures=1, payments=1)
    big = await _case(lead, findings=5, measures=8, payments=10)
    # A token's last use is written at most once a minute: the budget is the steady state.
    await client.get("/api/inspections", headers=lead.headers)
    api_counts = []
    for built in (small, big):
        count, texts = await _count(
            caplog,
            client.get(f"/api/inspections/{built['case']['id']}", headers=lead.headers),
            "GET",
            "/api/inspections/{inspection_id}",
        )
        _within(count, CASE_API, texts)
        api_counts.append(count)
    await sign_in(client, lead)
    page_counts = []
    for built in (small, big):
        count, texts = await _count(
            caplog,
            client.get(f"/inspections/{built['case']['id']}"),
            "GET",
            "/inspections/{inspection_id}",
        )
        _within(count, CASE_PAGE, texts)
        page_counts.append(count)
        # The rows are on the page: the count is not low because something was left out.
    assert api_counts[0] == api_counts[1] and page_counts[0] == page_counts[1]


async def test_recording_an_execution_and_the_measure_page_stay_within_budget(
    client: httpx.AsyncClient, people: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="inspect_app.requests")
    lead = people["lead"]
    big = await _case(lead, findings=5, measures=8, payments=10)
    measure_id = big["measures"][0]["id"]
    await client.get("/api/inspections", headers=lead.headers)  # the token's last use
    count, texts = await _count(
        caplog,
        client.post(
            f"/api/measures/{measure_id}/executions",
            json={"amount_vnd": 1_000, "date": "2026-05-02"},
            headers=lead.headers,
        ),
        "POST",
        "/api/measures/{measure_id}/executions",
    )
    _within(count, EXECUTION_API_POST, texts)

    csrf = await sign_in(client, lead)
    count, texts = await _count(
        caplog,
        client.post(
            f"/measures/{measure_id}/executions",
            data={"amount_vnd": "1.000", "date": "03/05/2026", "_csrf_token": csrf},
            follow_redirects=False,
        ),
        "POST",
        "/measures/{measure_id}/executions",
    )
    _within(count, EXECUTION_PAGE_POST, texts)
    count, texts = await _count(
        caplog, client.get(f"/measures/{measure_id}"), "GET", "/measures/{measure_id}"
    )
    _within(count, MEASURE_PAGE, texts)
    page = (await client.get(f"/measures/{measure_id}")).text
    # Both new entries and the two recorded before are listed (1.000 ₫ twice).
    assert page.count("1.000 ₫") >= 2


async def test_recording_a_step_of_the_case_stays_within_budget(
    client: httpx.AsyncClient, people: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="inspect_app.requests")
    lead = people["lead"]
    case = await make_inspection(lead, [await make_subject(), await make_subject()])
    await client.get("/api/inspections", headers=lead.headers)  # the token's last use
    count, texts = await _count(
        caplog,
        client.post(
            f"/api/inspections/{case['id']}/events",
            json={"type": "announce", "date": "2026-01-12", "version": case["version"]},
            headers=lead.headers,
        ),
        "POST",
        "/api/inspections/{inspection_id}/events",
    )
    _within(count, CASE_EVENT_API_POST, texts)


async def test_a_tally_counts_what_runs_inside_it_and_nests() -> None:
    from models.tables import Agency

    with counting_statements(keep_texts=True) as outer:
        await Agency.select(Agency.id)
        with counting_statements() as inner:
            await Agency.count()
            await Agency.raw("SELECT 1 AS one")
    assert inner.count == 2 and inner.texts is not None  # inherits keeping the texts
    assert outer.count == 3 and len(outer.texts or []) == 3
    assert "SELECT 1 AS one" in (outer.texts or [])[-1]
