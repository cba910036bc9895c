"""The report counters on the first and last days of a period, worked out by hand.

Circular 01/2024/TT-TTCP counts a period from the 15th of its first month to the 14th of its
last, both days included: Q1 2026 is 15/12/2025–14/03/2026, Q2 15/03–14/06/2026, the year
15/12/2025–14/12/2026. Every case and execution here falls on such a day (or the day next to
one), so that moving any bound of the counters' SQL by a day, or turning ``>=`` into ``>``,
changes a figure below. Q2 and the year are computed in one statement, as the reports and the
nightly rebuild do, so that a record of one period cannot leak into another.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from inspect_app.domain.periods import parse_period
from inspect_app.services import totals
from inspect_app.services.catalogues import ensure_catalogues
from tests.integration.report_dataset import (
    add_agency,
    add_case,
    add_execution,
    add_finding,
    add_measure,
    add_subject,
)
from tests.integration.test_totals import checks, implementation, inspections

pytestmark = pytest.mark.storage

D = date
CODES = ("2026-Q1", "2026-Q2", "2026-Y")


async def figures(agency: int) -> dict[str, dict[str, Any]]:
    """The agency's own counters of Q1, Q2 and the year 2026, from one pass.

    Each period computed alone must give the same figures: the statements narrow what they
    read to the days of the periods computed, and a bound of that narrowing is a first or
    last day too.
    """
    by_period = await totals.counters_by_period([parse_period(code) for code in CODES])
    got = {code: by_period[code][agency] for code in CODES}
    for code in CODES:
        alone = await totals.self_counters(parse_period(code), [agency])
        assert alone[agency] == got[code], f"{code} computed alone"
    return got


# --------------------------------------------------------------------------- tables 01 and 02


async def _opened_and_ended_around_the_15th(
    agency: int, kind: str, prefix: str, subjects: dict[str, int]
) -> None:
    """Eight cases of ``kind`` started and ended on the days around 14-15/03 and 14-15/06."""

    async def case(code: str, units: tuple[int, ...] = (), **fields: Any) -> int:
        return await add_case(f"{prefix}{code}", agency, units, kind=kind, **fields)

    # Started in Q1, cancelled on the first day of Q2: open at the start of Q2.
    await case("1", announced_on=D(2026, 2, 2), cancelled_on=D(2026, 3, 15), status="cancelled")
    # Started in Q1, on-site work ended, concluded and closed on the first day of Q2.
    await case(
        "2",
        (subjects["person"],),
        announced_on=D(2026, 2, 2),
        onsite_ended_on=D(2026, 3, 15),
        concluded_on=D(2026, 3, 15),
        closed_on=D(2026, 3, 15),
        status="closed",
    )
    # Cancelled on the last day of Q1: over before Q2 starts.
    await case("3", announced_on=D(2026, 2, 2), cancelled_on=D(2026, 3, 14), status="cancelled")
    # Announced on the last day of Q1, still on site.
    await case("4", announced_on=D(2026, 3, 14), status="onsite")
    # Announced on the first day after Q2.
    await case("5", announced_on=D(2026, 6, 15), status="onsite")
    # Decided on the last day of Q1, announced on the first day of Q2: it starts in Q2.
    await case("6", decision_date=D(2026, 3, 14), announced_on=D(2026, 3, 15), status="onsite")
    # Concluded on the last day of Q2; violations of two organisations, a person and the
    # inspected unit itself (a finding without a subject); no measure.
    seventh = await case(
        "7",
        (subjects["company"],),
        announced_on=D(2026, 4, 1),
        onsite_ended_on=D(2026, 5, 4),
        concluded_on=D(2026, 6, 14),
        status="concluded",
    )
    await add_finding(seventh, subjects["company"], 10_000_000)
    await add_finding(seventh, subjects["cooperative"], 20_000_000, "1.50")
    await add_finding(seventh, subjects["person"], 30_000_000)
    await add_finding(seventh, None, 40_000_000)
    # Concluded on the first day after Q2; no subject recorded, one violation, a recovery.
    eighth = await case(
        "8", announced_on=D(2026, 4, 1), concluded_on=D(2026, 6, 15), status="concluded"
    )
    await add_finding(eighth, subjects["company"], 7_000_000)
    await add_measure(eighth, "recover_money", amount_vnd=5_000_000)


@pytest.fixture
async def cases_around_the_15th(db: str) -> int:
    await ensure_catalogues()
    agency = await add_agency("SKH", "Sở Kế hoạch và Đầu tư", None, "/")
    subjects = {
        "company": await add_subject("Công ty TNHH Phú Thọ", "enterprise"),
        "cooperative": await add_subject("Hợp tác xã Đồng Tâm", "organization"),
        "person": await add_subject("Lê Thị Hoa", "individual"),
    }
    await _opened_and_ended_around_the_15th(agency, "inspection", "TT-", subjects)
    await _opened_and_ended_around_the_15th(agency, "check", "KT-", subjects)
    return agency


async def test_a_case_ended_on_the_first_day_of_a_period_is_carried_over_into_it(
    cases_around_the_15th: int,
) -> None:
    got = await figures(cases_around_the_15th)

    # Q1: 1-4 started; 1 (cancelled 15/03) and 2 (ended 15/03) are still in progress at
    # its end, 3 (cancelled 14/03) is not; 6 was decided on 14/03 but starts when announced.
    assert got["2026-Q1"]["inspections"] == inspections(
        total=4, started=4, scheduled=4, in_progress=3
    )
    # Q2: 1, 2 and 4 carried over (at the start of 15/03 none of them had ended); 6, 7 and
    # 8 started; 5 (15/06) belongs to Q3. 2 and 7 ended on site and were concluded (15/03,
    # 14/06); their results count here: 2's person and 7's company inspected, 7's four
    # units violating. In progress at the end: 4, 6 and 8 (concluded 15/06).
    assert got["2026-Q2"]["inspections"] == inspections(
        total=6, carried_over=3, started=3, scheduled=6, onsite_ended=2, concluded=2,
        in_progress=3, units_inspected=2, units_violating=4, violation_vnd=100_000_000,
        violation_m2="1.50",
    )  # fmt: skip
    # The year: all eight started; 8's results (no subject, one unit violating, a
    # recovery) count too.
    assert got["2026-Y"]["inspections"] == inspections(
        total=8, started=8, scheduled=8, onsite_ended=2, concluded=3, in_progress=3,
        units_inspected=2, units_violating=5, violation_vnd=107_000_000, violation_m2="1.50",
        recover_vnd=5_000_000,
    )  # fmt: skip


async def test_a_check_ended_on_the_first_day_of_a_period_is_carried_over_into_it(
    cases_around_the_15th: int,
) -> None:
    got = await figures(cases_around_the_15th)
    assert got["2026-Q1"]["checks"] == checks(total=4, started=4, scheduled=4)
    # 7's violators: the company, the cooperative and the unit itself are organisations.
    assert got["2026-Q2"]["checks"] == checks(
        total=6, carried_over=3, started=3, scheduled=6, organisations_checked=1,
        individuals_checked=1, organisations_violating=3, individuals_violating=1,
    )  # fmt: skip
    assert got["2026-Y"]["checks"] == checks(
        total=8, started=8, scheduled=8, organisations_checked=1, individuals_checked=1,
        organisations_violating=4, individuals_violating=1, recover_vnd=5_000_000,
    )  # fmt: skip


# --------------------------------------------------------------------------- table 03


@pytest.fixture
async def conclusions_around_the_15th(db: str) -> int:
    """Conclusions signed in Q1 2026 (and one on 15/03) whose implementation crosses 15/03."""
    await ensure_catalogues()
    agency = await add_agency("SNN", "Sở Nông nghiệp và Môi trường", None, "/")

    async def conclusion(code: str, concluded_on: date, **fields: Any) -> int:
        return await add_case(
            code,
            agency,
            announced_on=D(2025, 12, 20),
            onsite_ended_on=D(2025, 12, 30),
            concluded_on=concluded_on,
            status="closed" if fields.get("closed_on") else "concluded",
            **fields,
        )

    # T1: closed on the first day of Q2 with a measure still open: to implement in Q2 (it
    # was not closed before the start) and completed by the closing.
    t1 = await conclusion("T1", D(2026, 2, 1), closed_on=D(2026, 3, 15))
    await add_measure(t1, "recover_money", amount_vnd=10_000_000)

    # T2: its measures completed on 01/02 and, the last one, on 15/03: still outstanding at
    # the start of Q2, so to implement in Q2, and completed within it.
    t2 = await conclusion("T2", D(2026, 1, 10))
    money = await add_measure(
        t2, "recover_money", amount_vnd=20_000_000, status="done", completed_on=D(2026, 2, 1)
    )
    await add_execution(money, D(2026, 2, 1), amount_vnd=20_000_000)
    people = await add_measure(
        t2, "discipline", individuals=1, status="done", completed_on=D(2026, 3, 15)
    )
    await add_execution(people, D(2026, 3, 15), n=1)

    # T3: closed on the first day after Q2, a measure open: not completed in Q2.
    t3 = await conclusion("T3", D(2026, 2, 1), closed_on=D(2026, 6, 15))
    await add_measure(t3, "recover_land", land_m2="5.00")

    # T4: closed on the last day of Q2; a referral of two cases naming no person.
    t4 = await conclusion("T4", D(2026, 2, 1), closed_on=D(2026, 6, 14))
    await add_measure(t4, "criminal_referral", cases=2, persons=0)

    # T6: its only measure completed on the first day after Q2.
    t6 = await conclusion("T6", D(2026, 2, 1))
    late = await add_measure(
        t6, "recover_money", amount_vnd=30_000_000, status="done", completed_on=D(2026, 6, 15)
    )
    await add_execution(late, D(2026, 6, 15), amount_vnd=30_000_000)

    # T7: signed on the first day of Q2, no measure recorded yet.
    await conclusion("T7", D(2026, 3, 15))

    # T9: signed on the first day of Q2 too; 3 000 000 đ of its 8 000 000 recovered on
    # 10/03, during the inspection, which counts on the conclusion's day (in Q2, also when
    # Q2 is computed alone and 15/03 is the first day of all).
    t9 = await conclusion("T9", D(2026, 3, 15))
    during = await add_measure(t9, "recover_money", amount_vnd=8_000_000)
    await add_execution(during, D(2026, 3, 10), amount_vnd=3_000_000)

    # T8: open measures of every kind, each executed on 15/03 (the first day of Q2), and
    # money recovered on 14/03 (the last day of Q1).
    t8 = await conclusion("T8", D(2026, 1, 5))
    money = await add_measure(t8, "recover_money", amount_vnd=100_000_000)
    await add_execution(money, D(2026, 3, 14), amount_vnd=5_000_000)
    await add_execution(money, D(2026, 3, 15), amount_vnd=40_000_000)
    land = await add_measure(t8, "recover_land", land_m2="10.00")
    await add_execution(land, D(2026, 3, 15), land="2.50")
    people = await add_measure(t8, "discipline", collectives=1, individuals=2)
    await add_execution(people, D(2026, 3, 15), n=2)
    referral = await add_measure(t8, "criminal_referral", cases=1, persons=3)
    await add_execution(referral, D(2026, 3, 15), n=1)
    return agency


async def test_conclusions_to_implement_and_completed_around_the_first_day(
    conclusions_around_the_15th: int,
) -> None:
    got = await figures(conclusions_around_the_15th)

    # Q1: T1-T4, T6 and T8 signed within it; none completed by 14/03.
    assert got["2026-Q1"]["implementation"] == implementation(
        to_implement=6, completed=0, not_completed=6, to_recover_vnd=160_000_000,
        recovered_vnd=25_000_000, recovered_total_vnd=25_000_000, to_recover_m2="15.00",
        discipline_collectives=1, discipline_individuals=3, referrals_required=5,
    )  # fmt: skip
    # Q2: T7 and T9 signed on 15/03, the others still outstanding at its start (T1 closed on it,
    # T2's last measure completed on it). Completed: T1 and T4 by closing (15/03, 14/06),
    # T2 by its measures; T3 (closed 15/06) and T6 (completed 15/06) are not.
    assert got["2026-Q2"]["implementation"] == implementation(
        to_implement=8, completed=3, not_completed=5, to_recover_vnd=168_000_000,
        to_recover_m2="15.00", discipline_collectives=1, discipline_individuals=3,
        referrals_required=5,
        # Executed on 15/03: 40 000 000 đ, 2.50 m², 3 people disciplined, 1 referral; and
        # T9's 3 000 000 of 10/03, counted on its conclusion's day.
        recovered_vnd=43_000_000, recovered_m2="2.50", discipline_done=3, referrals_made=1,
        # Up to 14/06: 20 000 000 (01/02) + 5 000 000 (14/03) + 43 000 000; not T6's 15/06.
        recovered_total_vnd=68_000_000, recovered_total_m2="2.50",
    )  # fmt: skip
    assert got["2026-Y"]["implementation"] == implementation(
        to_implement=8, completed=5, not_completed=3, to_recover_vnd=168_000_000,
        to_recover_m2="15.00", discipline_collectives=1, discipline_individuals=3,
        referrals_required=5, recovered_vnd=98_000_000, recovered_total_vnd=98_000_000,
        recovered_m2="2.50", recovered_total_m2="2.50", discipline_done=3, referrals_made=1,
    )  # fmt: skip


# --------------------------------------------------------------------------- table 02 money


@pytest.fixture
async def fines_around_the_15th(db: str) -> int:
    """A check concluded in Q1 whose fines and recoveries are decided and paid around 15/03."""
    await ensure_catalogues()
    agency = await add_agency("SCT", "Sở Công Thương", None, "/")
    trader = await add_subject("Hộ kinh doanh Trần Thị Bình", "individual")
    check = await add_case(
        "KT-9",
        agency,
        (trader,),
        kind="check",
        announced_on=D(2026, 1, 5),
        concluded_on=D(2026, 2, 2),
        status="concluded",
    )
    first_day = await add_measure(
        check, "admin_fine", amount_vnd=6_000_000, decision_date=D(2026, 3, 15)
    )
    await add_execution(first_day, D(2026, 3, 15), amount_vnd=6_000_000)
    last_day = await add_measure(
        check, "admin_fine", amount_vnd=4_000_000, decision_date=D(2026, 6, 14)
    )
    await add_execution(last_day, D(2026, 6, 14), amount_vnd=1_000_000)
    await add_execution(last_day, D(2026, 6, 15), amount_vnd=3_000_000)
    await add_measure(check, "confiscation", amount_vnd=2_000_000, decision_date=D(2026, 6, 15))
    recovery = await add_measure(check, "recover_money", amount_vnd=8_000_000)
    await add_execution(recovery, D(2026, 3, 14), amount_vnd=1_000_000)
    await add_execution(recovery, D(2026, 3, 15), amount_vnd=7_000_000)
    return agency


async def test_fines_and_recoveries_count_by_their_own_days_around_the_15th(
    fines_around_the_15th: int,
) -> None:
    got = await figures(fines_around_the_15th)
    # Concluded in Q1: its case counts and results are Q1's (and the year's).
    results = {"total": 1, "started": 1, "scheduled": 1, "individuals_checked": 1}
    assert got["2026-Q1"]["checks"] == checks(
        **results, recover_vnd=8_000_000, recovered_vnd=1_000_000
    )
    # Q2: the fines decided on 15/03 and 14/06, paid on 15/03 and 14/06 (not 15/06), the
    # recovery of 15/03; the confiscation of 15/06 belongs to Q3.
    assert got["2026-Q2"]["checks"] == checks(
        sanctions=2, fines_vnd=10_000_000, recovered_vnd=7_000_000,
        fines_collected_vnd=7_000_000,
    )  # fmt: skip
    assert got["2026-Y"]["checks"] == checks(
        **results, recover_vnd=8_000_000, sanctions=2, fines_vnd=10_000_000,
        confiscated_vnd=2_000_000, recovered_vnd=8_000_000, fines_collected_vnd=10_000_000,
    )  # fmt: skip


# --------------------------------------------------------------------------- recovered during


@pytest.fixture
async def recovered_during_the_inspection(db: str) -> int:
    """A case concluded on 20/03/2026 (Q2) with money recovered before and after that day."""
    await ensure_catalogues()
    agency = await add_agency("STC", "Sở Tài chính", None, "/")
    company = await add_subject("Công ty TNHH Hòa Bình", "enterprise")
    case = await add_case(
        "TT-RD",
        agency,
        (company,),
        announced_on=D(2026, 1, 10),
        concluded_on=D(2026, 3, 20),
        status="concluded",
    )
    measure = await add_measure(case, "recover_money", amount_vnd=100_000_000)
    await add_execution(measure, D(2026, 3, 1), amount_vnd=30_000_000)  # Q1's days, before
    await add_execution(measure, D(2026, 3, 19), amount_vnd=10_000_000)  # the day before
    await add_execution(measure, D(2026, 3, 20), amount_vnd=20_000_000)  # the conclusion's day
    await add_execution(measure, D(2026, 6, 15), amount_vnd=5_000_000)  # Q3's first day
    return agency


async def test_money_recovered_during_the_inspection_counts_with_the_conclusion(
    recovered_during_the_inspection: int,
) -> None:
    agency = recovered_during_the_inspection
    codes = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-6M", "2026-9M", "2026-Y"]
    by_period = await totals.counters_by_period([parse_period(code) for code in codes])
    recovered = {code: by_period[code][agency]["implementation"]["recovered_vnd"] for code in codes}
    # Concluded in Q2: everything recovered before the conclusion belongs to Q2.
    assert recovered == {
        "2026-Q1": 0,
        "2026-Q2": 60_000_000,
        "2026-Q3": 5_000_000,
        "2026-6M": 60_000_000,
        "2026-9M": 65_000_000,
        "2026-Y": 65_000_000,
    }
    assert recovered["2026-Q1"] + recovered["2026-Q2"] == recovered["2026-6M"]
    assert recovered["2026-6M"] + recovered["2026-Q3"] == recovered["2026-9M"]
