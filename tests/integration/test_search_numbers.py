"""Cases are found by every number they carry, typed with or without diacritics and
punctuation ("43/QĐ-TTr", "43/QD-TTr", "43 QD TTr")."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest

from models.tables import Inspection
from tests.factories import concluded_case, event, make_inspection, make_measure, make_subject

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


async def _found(client: Any, actor: Any, q: str) -> list[int]:
    response = await client.get("/api/inspections", params={"q": q}, headers=actor.headers)
    assert response.status_code == 200, response.text[:300]
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize("typed", ["43/QĐ-TTr", "43/QD-TTr", "43/qd-ttr", "43 QD TTr", "43 qđ"])
async def test_the_announcement_s_number_finds_the_case_however_typed(
    client: Any, people: dict[str, Any], typed: str
) -> None:
    lead = people["lead"]
    # A tax code without "43" in it: the one drawn from the factories' counter may have it,
    # and then both cases would rightly match "43".
    subject = await make_subject(tax_code="0109990001")
    case = await make_inspection(lead, [subject], decision_no=None)
    other = await make_inspection(lead, [subject], decision_no=None)
    await event(lead, case, "announce", date(2026, 1, 12), decision_no="43/QĐ-TTr")
    await event(lead, other, "announce", date(2026, 1, 12), decision_no="44/QĐ-TTr")
    assert await _found(client, lead, typed) == [case["id"]]


async def test_the_conclusion_and_a_fine_decision_find_their_case(
    client: Any, people: dict[str, Any]
) -> None:
    lead = people["lead"]
    subject = await make_subject()
    case = await concluded_case(lead, [subject])  # concluded as 25/KL-TTr
    await make_measure(lead, case, type="admin_fine", amount_vnd=5_000_000, decision_no="7/QĐ-XPHC")
    assert await _found(client, lead, "25/KL-TTr") == [case["id"]]
    assert await _found(client, lead, "7 QD XPHC") == [case["id"]]
    assert await _found(client, lead, "8/QĐ-XPHC") == []


async def test_the_migration_adds_the_numbers_stored_cases_carry(people: dict[str, Any]) -> None:
    lead = people["lead"]
    case = await concluded_case(lead, [await make_subject()])
    await Inspection.update({Inspection.search_text: "ma cu"}).where(Inspection.id == case["id"])
    migration = importlib.import_module(
        "models.piccolo_migrations.models_2026_12_05t10_00_00_000000"
    )
    assert await migration.add_numbers_to_search_text() == 1
    [row] = await Inspection.select(Inspection.search_text).where(Inspection.id == case["id"])
    assert row["search_text"].startswith("ma cu ")
    assert "25/kl-ttr 25 kl ttr" in row["search_text"]
    assert await migration.add_numbers_to_search_text() == 0  # a second run changes nothing
