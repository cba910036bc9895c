"""The records behind a money figure add up to it, row by row, on a period's boundary days.

The fixtures of test_totals_boundaries.py put every fine, recommendation and payment on a
14th or a 15th; for each period the list of records must hold exactly the rows the counter
sums (checked against the counter and against the rows worked out by hand), and a deleted
recommendation or a case of another agency must not appear.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from inspect_app.domain.periods import parse_period
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.forms.figures import figure_request
from inspect_app.principal import Principal
from inspect_app.services import counter_records, totals
from inspect_app.services.counter_records import RecordRequest
from models.tables import Agency, Measure
from tests.integration import test_totals_boundaries as boundaries
from tests.integration.report_dataset import add_agency, add_case, add_execution, add_measure

pytestmark = pytest.mark.storage

D = date
# The boundary-day worlds of the counters' own tests.
conclusions_around_the_15th = boundaries.conclusions_around_the_15th
fines_around_the_15th = boundaries.fines_around_the_15th
recovered_during_the_inspection = boundaries.recovered_during_the_inspection
PERIODS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-6M", "2026-Y")


async def _reader(agency: int) -> Principal:
    row = await Agency.select(Agency.path).where(Agency.id == agency).first()
    assert row is not None
    return Principal(1, "chanh", "Chánh thanh tra", "head", agency, row["path"])


async def _records(reader: Principal, counter: str, code: str) -> counter_records.RecordList:
    return await counter_records.counter_records(
        reader, RecordRequest(counter=counter, period=parse_period(code))
    )


async def _rows(reader: Principal, counter: str, code: str) -> list[tuple[date, int]]:
    found = await _records(reader, counter, code)
    return sorted((row.day, row.value) for row in found.rows)


def _figure(counter: str, value: int | str) -> int:
    """A counter's value in the unit its records add: land in hundredths of m²."""
    return totals.land_hundredths(value) if counter_records.unit_of(counter) == "m2" else int(value)


async def _agrees_with_counters(agency: int) -> None:
    """Every list's count of rows and total equal what the counter says, in every period."""
    reader = await _reader(agency)
    by_period = await totals.counters_by_period([parse_period(code) for code in PERIODS])
    for code in PERIODS:
        for counter in counter_records.COUNTERS:
            table, key = counter.split(".")
            found = await _records(reader, counter, code)
            assert found.total == _figure(counter, by_period[code][agency][table][key]), (
                counter,
                code,
            )
            assert found.count == len(found.rows), (counter, code)
            assert found.total == sum(row.value for row in found.rows), (counter, code)


async def test_fines_are_listed_by_the_day_of_their_decision(fines_around_the_15th: int) -> None:
    reader = await _reader(fines_around_the_15th)
    # Decided on 15/03 and on 14/06 (Q2's first and last days); the confiscation of 15/06 and
    # the recovery are other figures.
    assert await _rows(reader, "checks.fines_vnd", "2026-Q2") == [
        (D(2026, 3, 15), 6_000_000),
        (D(2026, 6, 14), 4_000_000),
    ]
    assert await _rows(reader, "checks.fines_vnd", "2026-Q1") == []
    assert await _rows(reader, "checks.fines_vnd", "2026-Q3") == []
    await _agrees_with_counters(fines_around_the_15th)


async def test_payments_are_listed_with_their_conclusion_day_when_made_before_it(
    recovered_during_the_inspection: int,
) -> None:
    reader = await _reader(recovered_during_the_inspection)
    # Concluded on 20/03: the payments of 01/03 and 19/03 count on that day, in Q2.
    assert await _rows(reader, "implementation.recovered_vnd", "2026-Q2") == [
        (D(2026, 3, 20), 10_000_000),
        (D(2026, 3, 20), 20_000_000),
        (D(2026, 3, 20), 30_000_000),
    ]
    assert await _rows(reader, "implementation.recovered_vnd", "2026-Q1") == []
    assert await _rows(reader, "implementation.recovered_vnd", "2026-Q3") == [
        (D(2026, 6, 15), 5_000_000)
    ]
    # The recommendation counts in the period of the conclusion.
    assert await _rows(reader, "inspections.recover_vnd", "2026-Q2") == [
        (D(2026, 3, 20), 100_000_000)
    ]
    assert await _rows(reader, "inspections.recover_vnd", "2026-Q1") == []
    await _agrees_with_counters(recovered_during_the_inspection)


async def test_payments_of_conclusions_to_implement_around_the_first_day(
    conclusions_around_the_15th: int,
) -> None:
    reader = await _reader(conclusions_around_the_15th)
    # Q1 ends on 14/03: T2's 01/02 payment and T8's of 14/03; 15/03 is Q2's.
    assert await _rows(reader, "implementation.recovered_vnd", "2026-Q1") == [
        (D(2026, 2, 1), 20_000_000),
        (D(2026, 3, 14), 5_000_000),
    ]
    # 15/03 is also the day of T9's conclusion: its payment of 10/03 counts on it.
    assert await _rows(reader, "implementation.recovered_vnd", "2026-Q2") == [
        (D(2026, 3, 15), 3_000_000),
        (D(2026, 3, 15), 40_000_000),
    ]
    await _agrees_with_counters(conclusions_around_the_15th)


async def test_deleted_recommendations_and_other_agencies_are_left_out(
    recovered_during_the_inspection: int,
) -> None:
    agency = recovered_during_the_inspection
    case = await add_case(
        "TT-DEL", agency, announced_on=D(2026, 1, 10), concluded_on=D(2026, 3, 20)
    )
    deleted = await add_measure(case, "recover_money", amount_vnd=7_000_000)
    await add_execution(deleted, D(2026, 4, 1), amount_vnd=7_000_000)
    await Measure.update({Measure.deleted_at: datetime(2026, 4, 2, tzinfo=UTC)}).where(
        Measure.id == deleted
    )
    other = await add_agency("SYT", "Sở Y tế", None, "/")
    elsewhere = await add_case(
        "TT-SYT", other, announced_on=D(2026, 1, 10), concluded_on=D(2026, 3, 20)
    )
    paid = await add_measure(elsewhere, "recover_money", amount_vnd=9_000_000)
    await add_execution(paid, D(2026, 4, 1), amount_vnd=9_000_000)

    reader = await _reader(agency)
    assert await _rows(reader, "inspections.recover_vnd", "2026-Q2") == [
        (D(2026, 3, 20), 100_000_000)
    ]
    assert len(await _rows(reader, "implementation.recovered_vnd", "2026-Q2")) == 3
    await _agrees_with_counters(agency)
    # Another agency's records are not the reader's to list.
    with pytest.raises(NotFound):
        await counter_records.counter_records(
            reader,
            RecordRequest(
                counter="inspections.recover_vnd", period=parse_period("2026-Q2"), agency_id=other
            ),
        )


async def test_cases_on_the_last_and_first_day_of_a_period_are_listed_where_counted(
    db: str,
) -> None:
    await boundaries.ensure_catalogues()
    agency = await add_agency("SCT", "Sở Công Thương", None, "/")
    # Both on site until and concluded on Q1's last day (14/03) or Q2's first (15/03).
    last = await add_case(
        "TT-1403",
        agency,
        announced_on=D(2026, 1, 5),
        onsite_ended_on=D(2026, 3, 14),
        concluded_on=D(2026, 3, 14),
        status="concluded",
    )
    first = await add_case(
        "TT-1503",
        agency,
        announced_on=D(2026, 1, 5),
        onsite_ended_on=D(2026, 3, 15),
        concluded_on=D(2026, 3, 15),
        status="concluded",
    )
    reader = await _reader(agency)

    async def cases(counter: str, code: str) -> list[int]:
        return [row.inspection_id for row in (await _records(reader, counter, code)).rows]

    assert await cases("inspections.concluded", "2026-Q1") == [last]
    assert await cases("inspections.onsite_ended", "2026-Q1") == [last]
    assert await cases("inspections.in_progress", "2026-Q1") == [first]
    # Q2: the one concluded on its first day was carried over and concluded within it.
    assert await cases("inspections.carried_over", "2026-Q2") == [first]
    assert await cases("inspections.concluded", "2026-Q2") == [first]
    assert await cases("inspections.in_progress", "2026-Q2") == []
    await _agrees_with_counters(agency)


async def test_long_lists_come_a_page_at_a_time_with_the_whole_total(
    recovered_during_the_inspection: int,
) -> None:
    agency = recovered_during_the_inspection
    case = await add_case(
        "TT-LONG", agency, announced_on=D(2026, 1, 10), concluded_on=D(2026, 4, 1)
    )
    measure = await add_measure(case, "recover_money", amount_vnd=10_000_000_000)
    size = counter_records.PAGE_SIZE
    for n in range(size + 1):
        await add_execution(measure, D(2026, 4, 2), amount_vnd=1_000 + n)
    reader = await _reader(agency)

    async def page(number: int) -> counter_records.RecordList:
        return await counter_records.counter_records(
            reader,
            RecordRequest(
                counter="implementation.recovered_vnd", period=parse_period("2026-Q2"), page=number
            ),
        )

    whole = 60_000_000 + sum(1_000 + n for n in range(size + 1))
    first, second, past = await page(1), await page(2), await page(3)
    assert (first.count, len(first.rows), first.pages) == (size + 4, size, 2)
    assert (second.count, len(second.rows)) == (size + 4, 4)
    assert first.total == second.total == past.total == whole
    assert past.rows == [] and past.count == size + 4
    seen = {(r.execution_id, r.measure_id) for r in first.rows + second.rows}
    assert len(seen) == size + 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"counter": "checks.nothing"}, "counter"),
        ({"own": "2"}, "own"),
        ({"period": "2026-Q5"}, "period"),
        ({"agency_id": "2147483648"}, "agency_id"),
        ({"agency_id": "-1"}, "agency_id"),
        ({"page": "0"}, "page"),
        ({"page": "10001"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "١٢"}, "page"),
        ({"agency_id": "1\x00"}, "agency_id"),
        ({"period": "2026-Q1\x00"}, "period"),
        ({"counter": "checks.fines_vnd\x07"}, "counter"),
    ],
)
def test_a_bad_request_names_its_field(query: dict[str, Any], field: str) -> None:
    wanted = {
        "counter": "checks.fines_vnd",
        "period": "2026-Q1",
        "agency_id": None,
        "page": None,
        "own": None,
    }
    wanted.update(query)
    with pytest.raises(InvalidInput) as raised:
        figure_request(**wanted)
    assert set(raised.value.errors) == {field}


def test_the_edges_of_a_good_request_are_accepted() -> None:
    wanted = figure_request("checks.fines_vnd", "2026-q1", "2147483647", "10000")
    assert (wanted.agency_id, wanted.page, wanted.period.code) == (2147483647, 10_000, "2026-Q1")
