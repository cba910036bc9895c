"""The document register: consecutive numbers per agency and year, never the same one twice.

Each reservation runs in its own task with its own connection and a transaction that really
commits (no test transaction wraps them), so the database, not the test, orders them.
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from inspect_app.db import write_transaction
from inspect_app.services.document_register import register, take_number
from models.tables import DocumentCounter, DocumentNumber
from tests.factories import make_agency

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


async def _take(agency_id: int, on: date) -> int:
    return await take_number(agency_id, on, kind="BC", symbol="BC-TTr")


async def test_twenty_concurrent_reservations_get_twenty_consecutive_numbers() -> None:
    agency = await make_agency("TTT", "Thanh tra tỉnh")
    numbers = await asyncio.gather(*[_take(agency["id"], date(2026, 3, 20)) for _ in range(20)])

    assert sorted(numbers) == list(range(1, 21))
    stored = await register(agency["id"], 2026)
    assert [row.number for row in stored] == list(range(1, 21))
    assert await DocumentCounter.select(DocumentCounter.last_number).first() == {"last_number": 20}


async def test_numbers_restart_each_year_and_are_kept_per_agency() -> None:
    province = await make_agency("TTT", "Thanh tra tỉnh")
    department = await make_agency("SXD", "Sở Xây dựng", province)
    assert await _take(province["id"], date(2025, 12, 31)) == 1
    assert await _take(province["id"], date(2025, 12, 31)) == 2
    assert await _take(province["id"], date(2026, 1, 1)) == 1  # a new year starts at 01
    assert await _take(department["id"], date(2026, 1, 1)) == 1
    assert await _take(province["id"], date(2026, 1, 2)) == 2
    assert [r.number for r in await register(province["id"], 2025)] == [1, 2]


async def test_a_rolled_back_reservation_never_leads_to_a_duplicate() -> None:
    agency = await make_agency("TTT", "Thanh tra tỉnh")
    assert await _take(agency["id"], date(2026, 3, 20)) == 1

    class SignOffFailed(Exception):
        pass

    with pytest.raises(SignOffFailed):
        async with write_transaction():
            taken = await _take(agency["id"], date(2026, 3, 20))
            assert taken == 2
            raise SignOffFailed

    again = await _take(agency["id"], date(2026, 3, 20))
    assert again in (2, 3)  # given back with the rollback, or a gap: never 1 again
    numbers = [row.number for row in await register(agency["id"], 2026)]
    assert numbers == sorted(set(numbers)) and len(numbers) == 2


async def test_the_register_refuses_a_duplicate_even_past_the_counter() -> None:
    agency = await make_agency("TTT", "Thanh tra tỉnh")
    await _take(agency["id"], date(2026, 3, 20))
    with pytest.raises(Exception, match=r"(?i)unique"):
        await DocumentNumber.insert(
            DocumentNumber(
                agency=agency["id"], year=2026, number=1, symbol="BC-TTr", issued_on=date.today()
            )
        )
    assert len(await register(agency["id"], 2026)) == 1
