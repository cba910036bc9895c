"""The report counters on a hand-built dataset; every expected figure is worked out by hand.

See tests/integration/report_dataset.py for the records. Periods of report year 2026:
Q1 15/12/2025–14/03/2026, Q2 15/03–14/06/2026, 6M 15/12/2025–14/06/2026,
Y 15/12/2025–14/12/2026; Q1 2025 is 15/12/2024–14/03/2025.
"""

from __future__ import annotations

from typing import Any

import pytest

from inspect_app.db import write_transaction
from inspect_app.domain.periods import parse_period
from inspect_app.services import totals
from tests.integration.report_dataset import build_world

pytestmark = pytest.mark.storage

INSPECTION_KEYS = (
    "total", "carried_over", "started", "scheduled", "ad_hoc", "onsite_ended", "concluded",
    "in_progress", "units_inspected", "units_violating", "violation_vnd", "violation_m2",
    "recover_vnd", "recover_m2", "other_financial_vnd", "discipline_collectives",
    "discipline_individuals", "referral_cases", "referral_persons",
)  # fmt: skip
CHECK_KEYS = (
    "total", "carried_over", "started", "scheduled", "ad_hoc", "organisations_checked",
    "individuals_checked", "organisations_violating", "individuals_violating", "sanctions",
    "fines_vnd", "confiscated_vnd", "recover_vnd", "recovered_vnd", "fines_collected_vnd",
)  # fmt: skip
IMPLEMENTATION_KEYS = (
    "to_implement", "completed", "not_completed", "to_recover_vnd", "recovered_vnd",
    "recovered_total_vnd", "to_recover_m2", "recovered_m2", "recovered_total_m2",
    "discipline_collectives", "discipline_individuals", "discipline_done",
    "referrals_required", "referrals_made",
)  # fmt: skip


def table(keys: tuple[str, ...], **figures: Any) -> dict[str, Any]:
    """A full row of one table: the figures given, every other column zero."""
    row: dict[str, Any] = {key: ("0.00" if key.endswith("_m2") else 0) for key in keys}
    unknown = set(figures) - set(keys)
    assert not unknown, unknown
    row.update(figures)
    return row


def inspections(**figures: Any) -> dict[str, Any]:
    return table(INSPECTION_KEYS, **figures)


def checks(**figures: Any) -> dict[str, Any]:
    return table(CHECK_KEYS, **figures)


def implementation(**figures: Any) -> dict[str, Any]:
    return table(IMPLEMENTATION_KEYS, **figures)


@pytest.fixture
async def world(db: str) -> dict[str, int]:
    return await build_world()


def test_counter_keys_are_the_published_columns() -> None:
    assert totals.COUNTER_KEYS == {
        "inspections": INSPECTION_KEYS,
        "checks": CHECK_KEYS,
        "implementation": IMPLEMENTATION_KEYS,
    }


async def test_q1_own_records_of_each_agency(world: dict[str, int]) -> None:
    own = await totals.self_counters(parse_period("2026-Q1"))

    construction = own[world["construction"]]
    # I1 started on 15/12/2025 (Q1 2026), concluded 14/03; I2 carried over, concluded 15/03.
    assert construction["inspections"] == inspections(
        total=2, carried_over=1, started=1, scheduled=1, ad_hoc=1, onsite_ended=1,
        concluded=1, in_progress=1, units_inspected=2, units_violating=1,
        violation_vnd=1_300_000_123, violation_m2="100.25", recover_vnd=1_000_000_000,
        recover_m2="50.50", other_financial_vnd=200_000_000, discipline_collectives=1,
        discipline_individuals=3, referral_cases=1, referral_persons=2,
    )  # fmt: skip
    assert construction["checks"] == checks()
    # I1 (concluded in Q1) and I4 (concluded 14/12/2025, recovery outstanding on 15/12).
    assert construction["implementation"] == implementation(
        to_implement=2, completed=0, not_completed=2, to_recover_vnd=1_500_000_000,
        recovered_vnd=600_000_000, recovered_total_vnd=700_000_000, to_recover_m2="50.50",
        discipline_collectives=1, discipline_individuals=3, discipline_done=2,
        referrals_required=2,
    )  # fmt: skip

    finance = own[world["finance"]]
    assert finance["inspections"] == inspections()  # I5 closed in June 2025
    # C1 started and concluded in Q1, C2 carried over; the 15/03 fine belongs to Q2.
    assert finance["checks"] == checks(
        total=2, carried_over=1, started=1, scheduled=1, ad_hoc=1, organisations_checked=1,
        individuals_checked=1, organisations_violating=1, individuals_violating=1,
        sanctions=1, fines_vnd=15_000_000, confiscated_vnd=3_000_000, recover_vnd=2_000_000,
        recovered_vnd=0, fines_collected_vnd=15_000_000,
    )  # fmt: skip
    assert finance["implementation"] == implementation()

    # I6 started by its decision of 05/01/2026 and was cancelled: counted, not in progress.
    assert own[world["housing"]]["inspections"] == inspections(total=1, started=1, ad_hoc=1)
    assert own[world["province"]]["inspections"] == inspections(
        total=1, started=1, scheduled=1, onsite_ended=1, in_progress=1
    )


class _RollBack(Exception):
    pass


async def test_counters_inside_a_write_see_what_it_wrote(db: str) -> None:
    # On PostgreSQL the tables' statements run side by side on connections of their own only
    # outside a transaction: inside one that wrote, they must still see its rows.
    with pytest.raises(_RollBack):
        async with write_transaction():
            world = await build_world()
            own = await totals.self_counters(parse_period("2026-Q1"))
            assert own[world["construction"]]["inspections"]["total"] == 2
            assert own[world["construction"]]["implementation"]["to_implement"] == 2
            assert own[world["finance"]]["checks"]["total"] == 2
            raise _RollBack
    assert await totals.self_counters(parse_period("2026-Q1")) == {}


async def test_q1_consolidated_over_the_subtree(world: dict[str, int]) -> None:
    period = parse_period("2026-Q1")
    province = await totals.live_totals(world["province"], period)
    assert province["inspections"] == inspections(
        total=4, carried_over=1, started=3, scheduled=2, ad_hoc=2, onsite_ended=2,
        concluded=1, in_progress=2, units_inspected=2, units_violating=1,
        violation_vnd=1_300_000_123, violation_m2="100.25", recover_vnd=1_000_000_000,
        recover_m2="50.50", other_financial_vnd=200_000_000, discipline_collectives=1,
        discipline_individuals=3, referral_cases=1, referral_persons=2,
    )  # fmt: skip
    assert province["checks"]["total"] == 2
    assert province["checks"]["fines_vnd"] == 15_000_000
    assert province["implementation"]["to_recover_vnd"] == 1_500_000_000

    construction_subtree = await totals.live_totals(world["construction"], period)
    assert construction_subtree["inspections"]["total"] == 3  # I1, I2 and I6 of the housing office
    assert construction_subtree["inspections"]["ad_hoc"] == 2
    assert construction_subtree["inspections"]["in_progress"] == 1
    construction_own = await totals.live_totals(world["construction"], period, include_sub=False)
    assert construction_own["inspections"]["total"] == 2

    # The province's own records alone: only I9.
    province_own = await totals.live_totals(world["province"], period, include_sub=False)
    assert province_own["inspections"]["total"] == 1
    assert province_own["implementation"] == implementation()


async def test_6m_every_column(world: dict[str, int]) -> None:
    own = await totals.self_counters(
        parse_period("2026-6M"), [world["construction"], world["finance"]]
    )
    assert set(own) == {world["construction"], world["finance"]}
    construction = own[world["construction"]]
    assert construction["inspections"] == inspections(
        total=3, carried_over=1, started=2, scheduled=2, ad_hoc=1, onsite_ended=2,
        concluded=2, in_progress=1, units_inspected=3, units_violating=2,
        violation_vnd=1_380_000_123, violation_m2="100.25", recover_vnd=1_080_000_000,
        recover_m2="50.50", other_financial_vnd=200_000_000, discipline_collectives=1,
        discipline_individuals=3, referral_cases=1, referral_persons=2,
    )  # fmt: skip
    # I2's only measure was completed on 14/06/2026, the last day of the period.
    assert construction["implementation"] == implementation(
        to_implement=3, completed=1, not_completed=2, to_recover_vnd=1_580_000_000,
        recovered_vnd=780_000_000, recovered_total_vnd=880_000_000, to_recover_m2="50.50",
        recovered_m2="20.25", recovered_total_m2="20.25", discipline_collectives=1,
        discipline_individuals=3, discipline_done=2, referrals_required=2,
    )  # fmt: skip
    assert own[world["finance"]]["checks"] == checks(
        total=2, carried_over=1, started=1, scheduled=1, ad_hoc=1, organisations_checked=1,
        individuals_checked=1, organisations_violating=1, individuals_violating=1,
        sanctions=2, fines_vnd=22_500_000, confiscated_vnd=3_000_000, recover_vnd=2_000_000,
        recovered_vnd=2_000_000, fines_collected_vnd=15_000_000,
    )  # fmt: skip


async def test_year_every_column(world: dict[str, int]) -> None:
    own = await totals.self_counters(parse_period("2026-Y"), [world["construction"]])
    construction = own[world["construction"]]
    assert construction["inspections"] == inspections(
        total=3, carried_over=1, started=2, scheduled=2, ad_hoc=1, onsite_ended=2,
        concluded=2, in_progress=1, units_inspected=3, units_violating=2,
        violation_vnd=1_380_000_123, violation_m2="100.25", recover_vnd=1_080_000_000,
        recover_m2="50.50", other_financial_vnd=200_000_000, discipline_collectives=1,
        discipline_individuals=3, referral_cases=1, referral_persons=2,
    )  # fmt: skip
    # The referral of 01/07/2026 now counts; I1 still has open measures.
    assert construction["implementation"] == implementation(
        to_implement=3, completed=1, not_completed=2, to_recover_vnd=1_580_000_000,
        recovered_vnd=780_000_000, recovered_total_vnd=880_000_000, to_recover_m2="50.50",
        recovered_m2="20.25", recovered_total_m2="20.25", discipline_collectives=1,
        discipline_individuals=3, discipline_done=2, referrals_required=2, referrals_made=2,
    )  # fmt: skip


async def test_boundaries_of_march_and_december(world: dict[str, int]) -> None:
    # Q2 2026 starts on 15/03: I1 (concluded 14/03) is gone, I2 (concluded 15/03) counts.
    q2 = (await totals.self_counters(parse_period("2026-Q2"), [world["construction"]]))[
        world["construction"]
    ]["inspections"]
    assert (q2["total"], q2["carried_over"], q2["started"], q2["concluded"]) == (2, 1, 1, 1)
    assert q2["units_inspected"] == 1  # I2's school
    assert q2["recover_vnd"] == 80_000_000

    # Q4 2025 ends on 14/12/2025: I4 concluded that day counts there; I1 (15/12) does not.
    q4 = (await totals.self_counters(parse_period("2025-Q4"), [world["construction"]]))[
        world["construction"]
    ]["inspections"]
    assert (q4["total"], q4["carried_over"], q4["started"], q4["concluded"]) == (2, 1, 1, 1)
    assert q4["in_progress"] == 1  # I2


async def test_previous_year_for_the_comparison(world: dict[str, int]) -> None:
    last_year = await totals.live_totals(world["province"], parse_period("2025-Q1"))
    assert last_year["inspections"] == inspections(
        total=1, started=1, scheduled=1, onsite_ended=1, concluded=1, units_inspected=1,
        recover_vnd=100_000_000,
    )  # fmt: skip
    assert last_year["implementation"] == implementation(
        to_implement=1, completed=1, to_recover_vnd=100_000_000, recovered_vnd=100_000_000,
        recovered_total_vnd=100_000_000,
    )  # fmt: skip
    assert last_year["checks"] == checks()


async def test_stored_totals_are_read_when_present(world: dict[str, int]) -> None:
    from models.tables import AgencyTotals

    period = parse_period("2026-Q1")
    counters, _, source = await totals.current_totals(world["finance"], period)
    assert source == "live"
    assert counters["checks"]["total"] == 2
    stored = totals.empty_counters()
    stored["checks"]["total"] = 7
    await AgencyTotals(
        agency=world["finance"], period="2026-Q1", scope="subtree", data=stored
    ).save()
    counters, _, source = await totals.current_totals(world["finance"], period)
    assert source == "stored"
    assert counters["checks"]["total"] == 7
    assert totals.diff_totals(counters, await totals.live_totals(world["finance"], period)) == [
        "checks.total: 7 != 2",
        "checks.carried_over: 0 != 1",
        "checks.started: 0 != 1",
        "checks.scheduled: 0 != 1",
        "checks.ad_hoc: 0 != 1",
        "checks.organisations_checked: 0 != 1",
        "checks.individuals_checked: 0 != 1",
        "checks.organisations_violating: 0 != 1",
        "checks.individuals_violating: 0 != 1",
        "checks.sanctions: 0 != 1",
        "checks.fines_vnd: 0 != 15000000",
        "checks.confiscated_vnd: 0 != 3000000",
        "checks.recover_vnd: 0 != 2000000",
        "checks.fines_collected_vnd: 0 != 15000000",
    ]


def test_roll_up_adds_own_counters_to_every_ancestor() -> None:
    own = {1: totals.empty_counters(), 2: totals.empty_counters(), 4: totals.empty_counters()}
    own[1]["inspections"]["total"] = 1
    own[2]["inspections"]["total"] = 2
    own[2]["inspections"]["violation_m2"] = "10.25"
    own[4]["inspections"]["total"] = 5
    own[4]["inspections"]["violation_m2"] = "0.80"
    subtree = totals.roll_up(own, [(1, "/1/"), (2, "/1/2/"), (3, "/1/3/"), (4, "/1/2/4/")])
    assert {agency: c["inspections"]["total"] for agency, c in subtree.items()} == {
        1: 8,
        2: 7,
        3: 0,
        4: 5,
    }
    assert subtree[1]["inspections"]["violation_m2"] == "11.05"
    assert subtree[3]["inspections"]["violation_m2"] == "0.00"


def test_diff_totals_of_equal_counters_is_empty() -> None:
    a = totals.empty_counters()
    b = totals.empty_counters()
    b["implementation"]["recovered_m2"] = "0.0"
    assert totals.diff_totals(a, b) == []
    b["implementation"]["recovered_m2"] = "0.01"
    assert totals.diff_totals(a, b) == ["implementation.recovered_m2: 0.00 != 0.01"]


async def test_one_pass_over_several_periods_gives_each_its_own_figures(
    world: dict[str, int],
) -> None:
    # The nightly rebuild and the reports compute many periods in one statement per table;
    # overlapping periods (Q1 inside 6M inside Y) must not leak into one another.
    codes = ("2025-Q1", "2025-Q4", "2026-Q1", "2026-Q2", "2026-6M", "2026-Y")
    periods = [parse_period(code) for code in codes]
    together = await totals.counters_by_period([*periods, periods[0]])
    assert sorted(together) == sorted(codes)
    for period in periods:
        assert together[period.code] == await totals.self_counters(period), period.code
    # And the figures are the hand-worked ones of the tests above.
    construction = world["construction"]
    assert together["2026-6M"][construction]["inspections"]["total"] == 3
    assert together["2026-Q2"][construction]["inspections"]["units_inspected"] == 1
    assert together["2025-Q4"][construction]["inspections"]["in_progress"] == 1
    assert together["2026-Y"][construction]["implementation"]["referrals_made"] == 2
    assert together["2026-6M"][construction]["implementation"]["referrals_made"] == 0


def test_agency_groups_deal_every_agency_once_in_turn() -> None:
    assert totals.agency_groups([5, 1, 3, 2, 4], 2) == [[1, 3, 5], [2, 4]]
    assert totals.agency_groups([9, 8, 7], 3) == [[7], [8], [9]]
    assert totals.agency_groups([7], 2) == [[7]]  # no empty group
    assert totals.agency_groups([], 2) == []


async def test_agencies_in_groups_give_the_figures_of_one_statement(
    world: dict[str, int],
) -> None:
    # On PostgreSQL, every agency's counters come from one statement per table and group of
    # agencies, side by side; inside a transaction, from one statement per table. Each
    # group must hold agencies with records, and the merged figures must be the same.
    periods = [parse_period(code) for code in ("2025-Q4", "2026-Q1", "2026-6M", "2026-Y")]
    side_by_side = await totals.counters_by_period(periods)
    with pytest.raises(_RollBack):
        async with write_transaction():
            one_statement = await totals.counters_by_period(periods)
            raise _RollBack
    assert side_by_side == one_statement
    q1 = side_by_side["2026-Q1"]
    groups = totals.agency_groups(list(q1))
    assert len(groups) == totals.AGENCY_GROUPS
    for group in groups:
        assert any(q1[agency] != totals.empty_counters() for agency in group), group
        # Each table's statement for a group answers for exactly the group's agencies.
        for table in totals.TABLES:
            found = await totals._table_counters(table, periods, group)
            assert {code: sorted(rows) for code, rows in found.items()} == {
                period.code: group for period in periods
            }, table
