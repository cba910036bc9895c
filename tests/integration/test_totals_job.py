"""The totals table follows the records: markers, refresh jobs, the nightly rebuild, the check.

The randomized test (seeded, so a failure replays) writes cases, findings, measures and
executions across four agencies the way the case services do (the write, then
``record_change`` with the case's dates), lets a real burst worker drain the queue, and
then asks ``totals check`` for differences against a live recomputation: there must be none.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from inspect_app.clock import today as local_today
from inspect_app.db import is_postgres, on_own_connection
from inspect_app.domain.periods import Period, parse_period
from inspect_app.job_queue import close_pools
from inspect_app.services import follow_up_figures
from inspect_app.services import totals as counters
from inspect_app.services.catalogues import ensure_catalogues
from inspect_app.services.changes import (
    FOLLOW_UP_MARKER,
    affected_periods,
    mark_change,
    mark_periods_dirty,
    marker_name,
    record_change,
    stored_periods,
)
from jobs.totals import (
    MAX_ROUNDS,
    check_totals,
    dirty_periods,
    rebuild_totals,
    refresh_dirty_totals,
    refresh_marked,
    refresh_periods,
)
from models.tables import (
    Agency,
    AgencyTotals,
    Execution,
    Finding,
    Inspection,
    JobState,
    Measure,
)
from tests.integration.jobs_support import make_agency, run_jobs

SEED = 20260322
FIRST_DAY = date(2025, 6, 1)
LAST_DAY = date(2026, 11, 20)

pytestmark = pytest.mark.storage


@pytest.fixture(autouse=True)
async def close_enqueue_pools() -> AsyncIterator[None]:
    """record_change queues jobs through a process-wide pool: close it after each test."""
    yield
    await close_pools()


def test_affected_periods_of_a_change_in_q1_reach_every_later_maintained_period() -> None:
    periods = affected_periods([date(2026, 2, 1)], [], today=date(2026, 4, 1))
    assert periods == [
        "2026-6M", "2026-9M", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-Y",
    ]  # fmt: skip
    # A change dated in an older year also marks that year's periods holding the date,
    # and a period already stored in the table that ends later (carried-over cases).
    older = affected_periods([date(2023, 5, 2)], ["2024-Q1"], today=date(2026, 4, 1))
    assert "2023-Q2" in older and "2023-Y" in older and "2023-Q1" not in older
    assert "2024-Q1" in older and "2025-Q1" in older and "2026-Y" in older
    assert affected_periods([], [], today=date(2026, 4, 1)) == []


def _day(rng: random.Random, after: date | None = None) -> date:
    start = after or FIRST_DAY
    if start >= LAST_DAY:
        return LAST_DAY
    return start + timedelta(days=rng.randrange((LAST_DAY - start).days + 1))


def _dates(row: dict[str, Any]) -> list[date | None]:
    keys = ("decision_date", "announced_on", "onsite_ended_on", "concluded_on", "closed_on")
    return [row.get(key) for key in keys]


class RandomCasework:
    """Random writes in the manner of the case services, each followed by record_change."""

    def __init__(self, rng: random.Random, agencies: list[int]) -> None:
        self.rng = rng
        self.agencies = agencies
        self.cases: list[dict[str, Any]] = []
        self.measures: list[dict[str, Any]] = []
        self.findings: list[int] = []
        self.codes = itertools.count(1)

    async def create_case(self) -> None:
        rng = self.rng
        announced = _day(rng)
        row: dict[str, Any] = {
            "code": f"R-{next(self.codes)}",
            "agency": rng.choice(self.agencies),
            "title": "Cuộc ngẫu nhiên",
            "kind": rng.choice(["inspection", "inspection", "check"]),
            "origin": rng.choice(["scheduled", "ad_hoc"]),
            "decision_date": announced - timedelta(days=rng.randrange(0, 10)),
            "announced_on": announced,
            "status": "onsite",
        }
        case = Inspection(**row)
        await case.save()
        row["id"] = int(case.id)
        self.cases.append(row)
        await record_change(row["agency"], _dates(row))

    async def advance_case(self) -> None:
        live = [c for c in self.cases if c["status"] in ("onsite", "onsite_ended", "concluded")]
        if not live:
            return
        row = self.rng.choice(live)
        before = _dates(row)
        if row["status"] == "onsite":
            row["onsite_ended_on"], row["status"] = (
                _day(self.rng, row["announced_on"]),
                "onsite_ended",
            )
        elif row["status"] == "onsite_ended":
            row["concluded_on"] = _day(self.rng, row["onsite_ended_on"])
            row["status"] = "concluded"
        else:
            row["closed_on"], row["status"] = _day(self.rng, row["concluded_on"]), "closed"
        await Inspection.update(
            {
                Inspection.status: row["status"],
                Inspection.onsite_ended_on: row.get("onsite_ended_on"),
                Inspection.concluded_on: row.get("concluded_on"),
                Inspection.closed_on: row.get("closed_on"),
            }
        ).where(Inspection.id == row["id"])
        await record_change(row["agency"], before + _dates(row))

    async def add_finding_and_measure(self) -> None:
        if not self.cases:
            return
        rng = self.rng
        case = rng.choice(self.cases)
        amount = rng.randrange(1, 500) * 1_000_000
        finding = Finding(inspection=case["id"], description="Vi phạm", amount_vnd=amount)
        await finding.save()
        self.findings.append(int(finding.id))
        kind = rng.choice(["recover_money", "discipline", "criminal_referral", "admin_fine"])
        measure_row: dict[str, Any] = {
            "inspection": case["id"],
            "finding": int(finding.id),
            "type": kind,
            "amount_vnd": amount if kind in ("recover_money", "admin_fine") else 0,
            "individuals": rng.randrange(1, 4) if kind == "discipline" else 0,
            "persons": rng.randrange(1, 3) if kind == "criminal_referral" else 0,
            "decision_date": _day(rng, case["announced_on"]),
            "due_on": _day(rng, case["announced_on"]),
            "status": "open",
        }
        measure = Measure(**measure_row)
        await measure.save()
        self.measures.append({**measure_row, "id": int(measure.id), "case": case, "done": 0})
        await record_change(case["agency"], [*_dates(case), measure_row["decision_date"]])

    async def execute_measure(self) -> None:
        open_ones = [m for m in self.measures if m["status"] == "open"]
        if not open_ones:
            return
        rng = self.rng
        measure = rng.choice(open_ones)
        on = _day(rng, measure["decision_date"])
        target = measure["amount_vnd"] or measure["individuals"] or measure["persons"]
        step = max(1, (target - measure["done"]) // rng.choice([1, 2, 3]))
        if measure["amount_vnd"]:
            await Execution(measure=measure["id"], executed_on=on, amount_vnd=step).save()
            column = Measure.done_vnd
        else:
            await Execution(measure=measure["id"], executed_on=on, quantity=step).save()
            column = Measure.done_count
        measure["done"] += step
        finished = measure["done"] >= target
        measure["status"] = "done" if finished else "open"
        await Measure.update(
            {
                column: measure["done"],
                Measure.status: "done" if finished else "partial",
                Measure.completed_on: on if finished else None,
            }
        ).where(Measure.id == measure["id"])
        await record_change(measure["case"]["agency"], [on, *_dates(measure["case"])])

    async def delete_something(self) -> None:
        rng = self.rng
        if self.findings and rng.random() < 0.5:
            finding_id = self.findings.pop(rng.randrange(len(self.findings)))
            row = await Finding.select(Finding.inspection).where(Finding.id == finding_id).first()
            await Finding.update({Finding.deleted_at: datetime.now(UTC)}).where(
                Finding.id == finding_id
            )
            case = next(c for c in self.cases if c["id"] == row["inspection"])
            await record_change(case["agency"], _dates(case))
        elif self.cases:
            case = self.cases.pop(rng.randrange(len(self.cases)))
            self.measures = [m for m in self.measures if m["case"] is not case]
            await Inspection.update({Inspection.deleted_at: datetime.now(UTC)}).where(
                Inspection.id == case["id"]
            )
            await record_change(case["agency"], _dates(case))

    async def move_case(self) -> None:
        if not self.cases:
            return
        case = self.rng.choice(self.cases)
        old, new = case["agency"], self.rng.choice(self.agencies)
        case["agency"] = new
        await Inspection.update({Inspection.agency: new}).where(Inspection.id == case["id"])
        await record_change(old, _dates(case))
        await record_change(new, _dates(case))

    async def step(self) -> None:
        action = self.rng.choices(
            [
                self.create_case,
                self.advance_case,
                self.add_finding_and_measure,
                self.execute_measure,
                self.delete_something,
                self.move_case,
            ],
            weights=[4, 4, 4, 4, 1, 1],
        )[0]
        await action()


async def _tree() -> list[int]:
    await ensure_catalogues()
    province = await make_agency("TTT", "Thanh tra tỉnh", None)
    construction = await make_agency("SXD", "Sở Xây dựng", province)
    housing = await make_agency("QLN", "Phòng Quản lý nhà", construction)
    finance = await make_agency("STC", "Sở Tài chính", province)
    return [province, construction, housing, finance]


@pytest.mark.slow
async def test_random_casework_leaves_no_difference_after_the_worker_ran(
    db: str, redis_url: str
) -> None:
    rng = random.Random(SEED)
    work = RandomCasework(rng, await _tree())
    for _ in range(120):
        await work.step()
    # Before the worker ran, the table does not match (proof that the check can fail).
    assert await check_totals("2026-Y") != []
    assert await dirty_periods() != []

    await run_jobs(redis_url)  # the queued refresh jobs, deduplicated per period

    assert await dirty_periods() == []
    assert await check_totals() == []
    province_year = await counters.stored_totals(work.agencies[0], Period(2026, "Y"))
    assert province_year is not None
    assert province_year[0]["inspections"]["total"] + province_year[0]["checks"]["total"] > 0


async def test_changes_after_a_rebuild_are_added_by_difference_and_match_the_records(
    db: str, redis_url: str
) -> None:
    rng = random.Random(SEED + 2)
    work = RandomCasework(rng, await _tree())
    for _ in range(40):
        await work.step()
    await rebuild_totals(None)
    assert await check_totals() == []
    for _ in range(120):
        await work.step()
    assert await check_totals("2026-Y") != []

    await run_jobs(redis_url)

    assert await dirty_periods() == []
    assert await check_totals() == []


async def _case_begun_in_may(agency: int, code: str) -> None:
    """A case of ``agency`` decided on 04/05/2026 and announced on 06/05 (2026-Q2)."""
    await Inspection(
        code=code,
        agency=agency,
        title="Cuộc của phòng",
        kind="inspection",
        decision_date=date(2026, 5, 4),
        announced_on=date(2026, 5, 6),
        status="onsite",
    ).save()


async def _computed_at(period: str) -> dict[tuple[int, str], Any]:
    rows = await AgencyTotals.select(
        AgencyTotals.agency, AgencyTotals.scope, AgencyTotals.computed_at
    ).where(AgencyTotals.period == period)
    return {(row["agency"], row["scope"]): row["computed_at"] for row in rows}


async def test_a_change_rewrites_the_rows_of_its_agency_and_those_above_it_only(db: str) -> None:
    province, construction, housing, finance = await _tree()
    await rebuild_totals(None)
    before = await _computed_at("2026-Q2")
    assert len(before) == 8

    await _case_begun_in_may(housing, "D-1")
    await mark_change(housing, [date(2026, 5, 4), date(2026, 5, 6)])
    assert await refresh_marked(await dirty_periods()) == 1

    after = await _computed_at("2026-Q2")
    rewritten = {key for key in after if after[key] != before[key]}
    assert rewritten == {
        (housing, "self"),
        (housing, "subtree"),
        (construction, "subtree"),
        (province, "subtree"),
    }
    assert await check_totals() == []
    q2 = await counters.stored_totals(province, Period(2026, "Q2"))
    assert q2 is not None and q2[0]["inspections"]["started"] == 1

    # A change that moves no figure of its period writes nothing; a marker that names no
    # agency (a change of the tree) has every agency's rows written again.
    await mark_change(finance, [date(2026, 5, 4)])
    await refresh_marked(await dirty_periods())
    assert await _computed_at("2026-Q2") == after
    await mark_periods_dirty(["2026-Q2"])
    await refresh_marked(await dirty_periods())
    again = await _computed_at("2026-Q2")
    assert all(again[key] != after[key] for key in again)
    assert await check_totals() == []


async def test_an_agency_moved_has_every_period_computed_again_for_every_agency(db: str) -> None:
    from inspect_app.principal import Principal
    from inspect_app.schemas.admin import AgencyUpdate
    from inspect_app.services import agencies as agency_service

    province, _, housing, finance = await _tree()
    await _case_begun_in_may(housing, "D-2")
    await rebuild_totals(None)
    admin = Principal(0, "admin", "Quản trị", "admin", province, f"/{province}/")
    row = await Agency.select(Agency.version).where(Agency.id == housing).first()
    await agency_service.update(
        admin, housing, AgencyUpdate(version=row["version"], parent_id=finance)
    )
    # The department now counts under finance, no longer under construction.
    assert set(await dirty_periods()) >= {"2026-Q2", "2026-Y"}
    await refresh_dirty_totals(None)
    assert await check_totals() == []
    moved = await counters.stored_totals(finance, Period(2026, "Q2"))
    assert moved is not None and moved[0]["inspections"]["started"] == 1


async def test_a_stored_row_without_every_counter_has_its_period_computed_for_everyone(
    db: str,
) -> None:
    housing = (await _tree())[2]
    await _case_begun_in_may(housing, "D-3")
    await rebuild_totals(None)
    # A row written before a release added a counter lacks it.
    row = (
        await AgencyTotals.select(AgencyTotals.id, AgencyTotals.data)
        .where(
            (AgencyTotals.agency == housing)
            & (AgencyTotals.period == "2026-Q2")
            & (AgencyTotals.scope == "self")
        )
        .output(load_json=True)
        .first()
    )
    del row["data"]["inspections"]["started"]
    await AgencyTotals.update({AgencyTotals.data: row["data"]}).where(AgencyTotals.id == row["id"])
    await mark_change(housing, [date(2026, 5, 4)])
    await refresh_marked(await dirty_periods())
    assert await check_totals() == []


def test_a_refresh_by_difference_only_when_every_row_is_there_and_few_agencies_are_named() -> None:
    from inspect_app.services.changes import MAX_NAMED_AGENCIES
    from jobs.totals import agencies_to_recompute

    tree = {n: f"/1/{n}/" for n in range(1, 101)}
    full = 2 * len(tree)

    def marks(*agencies: int | None) -> dict[str, str]:
        return {marker_name("2026-Q2", agency): "token" for agency in agencies}

    assert agencies_to_recompute(marks(7, 3), tree, full) == [3, 7]
    assert agencies_to_recompute(marks(7), tree, full - 1) is None  # a row missing
    assert agencies_to_recompute(marks(7), tree, full + 1) is None
    assert agencies_to_recompute(marks(7, None), tree, full) is None  # a tree change
    assert agencies_to_recompute(marks(7, 101), tree, full) is None  # an agency gone
    many = range(1, MAX_NAMED_AGENCIES + 1)
    assert agencies_to_recompute(marks(*many), tree, full) == list(many)
    more = range(1, MAX_NAMED_AGENCIES + 2)
    assert agencies_to_recompute(marks(*more), tree, full) is None


def test_the_difference_reaches_every_agency_above_and_no_other() -> None:
    agencies = [(1, "/1/"), (2, "/1/2/"), (3, "/1/2/3/"), (4, "/1/4/")]

    def figures(started: int, recovered: int) -> counters.Counters:
        found = counters.empty_counters()
        found["inspections"]["started"] = started
        found["checks"]["recovered_vnd"] = recovered
        return found

    old_subtree = {1: figures(9, 900), 2: figures(5, 500), 3: figures(2, 200)}
    own, subtree = counters.changed_rows(
        {3: figures(2, 200), 4: figures(1, 100)},
        {3: figures(3, 150), 4: figures(1, 100)},
        old_subtree,
        agencies,
    )
    assert own == {3: figures(3, 150)}  # agency 4 is counted again but did not move
    assert subtree == {1: figures(10, 850), 2: figures(6, 450), 3: figures(3, 150)}
    # An agency with no stored row of its own yet counts from zero.
    own, subtree = counters.changed_rows(
        {}, {4: figures(1, 0)}, {1: figures(0, 0), 4: figures(0, 0)}, agencies
    )
    assert own == {4: figures(1, 0)} and subtree == {1: figures(1, 0), 4: figures(1, 0)}


async def test_check_reports_a_tampered_row_and_rebuild_repairs_it(db: str) -> None:
    rng = random.Random(SEED + 1)
    work = RandomCasework(rng, await _tree())
    for _ in range(30):
        await work.step()
    await rebuild_totals(None)
    assert await check_totals() == []

    row = (
        await AgencyTotals.select(AgencyTotals.id, AgencyTotals.data)
        .where((AgencyTotals.period == "2026-Y") & (AgencyTotals.scope == "subtree"))
        .order_by(AgencyTotals.agency)
        .output(load_json=True)
        .first()
    )
    data = row["data"]
    data["inspections"]["total"] += 1
    await AgencyTotals.update({AgencyTotals.data: data}).where(AgencyTotals.id == row["id"])
    problems = await check_totals("2026-Y")
    assert len(problems) == 1
    assert "2026-Y TTT" in problems[0] and "subtree: inspections.total" in problems[0]

    await rebuild_totals(None)
    assert await check_totals("2026-Y") == []


async def test_the_periodic_scan_drains_markers_without_any_queued_job(db: str) -> None:
    agencies = await _tree()
    case = Inspection(
        code="M-1",
        agency=agencies[2],
        title="Cuộc có đánh dấu",
        kind="inspection",
        announced_on=date(2026, 4, 2),
        decision_date=date(2026, 4, 1),
        status="onsite",
    )
    await case.save()
    await record_change(agencies[2], [date(2026, 4, 1), date(2026, 4, 2)])
    marked = await dirty_periods()
    assert {"2026-Q2", "2026-6M", "2026-9M", "2026-Y", "2026-Q3", "2026-Q4"} <= set(marked)

    assert await refresh_dirty_totals(None) == len(marked)
    assert await dirty_periods() == []
    q2 = await counters.stored_totals(agencies[0], Period(2026, "Q2"))
    assert q2 is not None and q2[0]["inspections"]["started"] == 1
    own_q2 = await counters.stored_totals(agencies[0], Period(2026, "Q2"), include_sub=False)
    assert own_q2 is not None and own_q2[0]["inspections"]["started"] == 0


async def test_a_burst_of_changes_queues_one_refresh_for_every_period(
    db: str, redis_url: str
) -> None:
    from redis.asyncio import Redis

    agencies = await _tree()
    for day in (date(2026, 1, 10), date(2026, 4, 2), date(2025, 7, 1)):
        await record_change(agencies[2], [day])
    connection = Redis.from_url(redis_url)
    try:
        queued = await connection.zrange("arq:queue", 0, -1)
    finally:
        await connection.aclose()
    assert queued == [b"refresh_totals"]
    marked = set(await dirty_periods())
    assert {"2025-Q3", "2026-Q1", "2026-Q2", "2026-Y"} <= marked

    # The one job refreshes every marked period.
    await run_jobs(redis_url)
    assert await dirty_periods() == []
    stored = {row["period"] for row in await AgencyTotals.select(AgencyTotals.period).distinct()}
    assert marked <= stored


async def test_the_marker_of_an_unknown_period_is_dropped(db: str) -> None:
    await _tree()
    await mark_periods_dirty(["2026-Q9", "2026-Q2"])
    assert await refresh_dirty_totals(None) == 2
    assert await dirty_periods() == []
    periods = {row["period"] for row in await AgencyTotals.select(AgencyTotals.period).distinct()}
    # The quarter, and the dashboard's follow-up figures that the same scan keeps.
    assert periods == {"2026-Q2", "followup"}


async def test_a_period_re_marked_during_every_round_is_left_for_the_next_scan(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _tree()
    await mark_periods_dirty(["2026-Q2"])
    compute = counters.counters_by_period
    rounds = 0

    async def remarked_meanwhile(*args: Any, **kwargs: Any) -> Any:
        # A change commits while the refresh computes: the marker gets a new token.
        nonlocal rounds
        rounds += 1
        await mark_periods_dirty(["2026-Q2"])
        return await compute(*args, **kwargs)

    monkeypatch.setattr(counters, "counters_by_period", remarked_meanwhile)
    assert await refresh_marked(["2026-Q2"]) == MAX_ROUNDS
    assert rounds == MAX_ROUNDS
    assert await dirty_periods() == ["2026-Q2"]  # not lost: the scan comes back to it

    monkeypatch.setattr(counters, "counters_by_period", compute)
    assert await refresh_dirty_totals(None) == 1
    assert await dirty_periods() == []


async def test_a_refresh_that_waited_skips_the_periods_another_one_has_done(db: str) -> None:
    # The minute scan and the queued job may both take the same markers; the one that gets
    # the locks second finds them cleared and computes nothing.
    await _tree()
    q2 = Period(2026, "Q2")
    assert await refresh_periods([q2], marked_only=True) == []
    assert await AgencyTotals.count() == 0
    await mark_periods_dirty(["2026-Q2"])
    assert await refresh_periods([q2], marked_only=True) == []
    assert await AgencyTotals.count() > 0 and await dirty_periods() == []


async def test_stored_periods_lists_each_period_of_the_table_once(db: str) -> None:
    await _tree()
    assert await stored_periods() == []
    periods = [Period(2025, "Q4"), Period(2026, "Q1"), Period(2026, "6M"), Period(2026, "Y")]
    await refresh_periods(periods)
    assert sorted(await stored_periods()) == sorted(p.code for p in periods)


@pytest.mark.parametrize(
    "days",
    [
        # The last day of Q1 2024 and the first of Q2; the last day of report year 2023
        # and the first of 2024 (15/12/2023); a change with no date (today).
        [date(2024, 3, 14)],
        [date(2024, 3, 15)],
        [date(2023, 12, 14)],
        [date(2023, 12, 15)],
        [date(2024, 9, 14), date(2024, 3, 15)],
        [],
    ],
    ids=["14-03", "15-03", "14-12", "15-12", "two-days", "no-date"],
)
async def test_a_change_marks_what_affected_periods_names_in_one_statement(
    db: str, days: list[date]
) -> None:
    await _tree()
    stored = ["2023-Q4", "2023-Y", "2024-Q1", "2024-Q2", "2024-6M", "2024-9M", "2025-Q1"]
    await refresh_periods([parse_period(code) for code in stored])
    # The follow-up figures share the table under a period of their own, never marked.
    await follow_up_figures.refresh(local_today())
    assert await stored_periods() == sorted(stored)
    await JobState.delete(force=True)
    await mark_change(1, days)
    expected = affected_periods(days or [local_today()], await stored_periods(), local_today())
    assert sorted(await dirty_periods()) == expected
    assert await JobState.exists().where(JobState.name == f"{FOLLOW_UP_MARKER}@1")
    assert await JobState.count().where(JobState.name.like("totals:%@1")) == len(expected)


async def test_a_refresh_holds_no_table_lock_while_it_computes(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its reads run on other connections; were its own transaction to hold a table lock
    # meanwhile, a statement queued for that table (a migration, a TRUNCATE) would wait for
    # the transaction and the reads for that statement: the refresh would never end.
    if not is_postgres():
        pytest.skip("SQLite has no table locks; its write transaction holds the database")
    await _tree()
    seen: list[int] = []
    compute = counters.counters_by_period

    async def held() -> Any:
        return await Inspection.raw(
            "SELECT COUNT(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE a.datname = current_database() AND a.state = 'idle in transaction'"
            " AND l.locktype = 'relation' AND l.granted"
        )

    async def watched(*args: Any, **kwargs: Any) -> Any:
        # Asked from another connection while the refresh's transaction waits.
        seen.append(int((await on_own_connection(held))[0]["n"]))
        return await compute(*args, **kwargs)

    monkeypatch.setattr(counters, "counters_by_period", watched)
    await mark_periods_dirty(["2026-Q2"])
    assert await refresh_periods([Period(2026, "Q2")]) == []
    assert seen == [0]
    assert await AgencyTotals.count() > 0 and await dirty_periods() == []
