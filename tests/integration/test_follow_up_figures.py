"""The follow-up figures kept per agency: equal to the records, used only when current."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from inspect_app.principal import Principal
from inspect_app.services import follow_up_figures as figures
from inspect_app.services.changes import mark_change, mark_follow_up_figures
from jobs.totals import refresh_dirty_totals
from models.tables import Agency, AgencyTotals, Measure
from tests.integration.jobs_support import build_jobs_world

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

DAY = date(2026, 3, 21)


async def _head(w: Any) -> Principal:
    agency = await Agency.select(Agency.path).where(Agency.id == w.province).first()
    return Principal(w.head, "chanh", "Chánh thanh tra", "head", w.province, agency["path"])


async def test_kept_figures_equal_the_live_ones_and_roll_up_the_tree() -> None:
    w = await build_jobs_world()
    head = await _head(w)
    live = await figures.live(head, DAY)
    # On 21/03: the conclusion of TT-01 and the recommendation of TT-02 are a day late.
    assert live["overdue_measures"] == 1 and live["open_measures"] == 1
    assert live["left_vnd"] == 120_000_000
    assert live["overdue_units"] == {"Phòng Nghiệp vụ 1": 1, "Sở Tài chính": 1}
    assert live["status"] == {"reported": 1, "concluded": 1}
    await figures.refresh(DAY)
    kept, _, source = await figures.figures_for(head, DAY)
    assert source == "stored" and kept == live
    assert await figures.check(DAY) == []
    # The division's own row holds both cases; the finance department's holds nothing.
    division = await figures.stored(w.division, DAY)
    assert division is not None and division[0]["status"] == live["status"]
    finance = await figures.stored(w.finance, DAY)
    assert finance is not None and finance[0] == figures.empty()


async def test_a_change_or_a_new_day_is_read_live_until_the_refresh(monkeypatch: Any) -> None:
    w = await build_jobs_world()
    head = await _head(w)
    await figures.refresh(DAY)
    # The next day the kept row is of yesterday: not used.
    assert (await figures.figures_for(head, DAY + timedelta(days=1)))[2] == "live"
    assert await figures.needs_refresh(DAY + timedelta(days=1))
    # A change marks the figures: read live, with the change, until the refresh.
    await Measure.update({Measure.status: "done"}).where(Measure.id == w.measure)
    await mark_change(w.division, [DAY])
    assert await figures.needs_refresh(DAY)
    current, _, source = await figures.figures_for(head, DAY)
    assert source == "live" and current["open_measures"] == 0
    # The catch-up scan refreshes them and removes the marker.
    import jobs.totals as job

    monkeypatch.setattr(job, "local_today", lambda: DAY)
    await refresh_dirty_totals(None)
    kept, _, source = await figures.figures_for(head, DAY)
    assert source == "stored" and kept["open_measures"] == 0
    assert not await figures.needs_refresh(DAY)


async def _written_at() -> dict[tuple[int, str], Any]:
    rows = await AgencyTotals.select(
        AgencyTotals.agency, AgencyTotals.scope, AgencyTotals.computed_at
    ).where(AgencyTotals.period == figures.PERIOD)
    return {(row["agency"], row["scope"]): row["computed_at"] for row in rows}


async def test_a_change_of_one_agency_rewrites_its_figures_and_those_above_it_only() -> None:
    w = await build_jobs_world()
    head = await _head(w)
    await figures.refresh(DAY)
    before = await _written_at()
    await Measure.update({Measure.status: "done"}).where(Measure.id == w.measure)
    await mark_change(w.division, [DAY])

    assert await figures.refresh(DAY) == 3
    after = await _written_at()
    assert {key for key in after if after[key] != before[key]} == {
        (w.division, "self"),
        (w.division, "subtree"),
        (w.province, "subtree"),
    }
    assert await figures.check(DAY) == []
    kept, _, source = await figures.figures_for(head, DAY)
    assert source == "stored" and kept == await figures.live(head, DAY)
    assert kept["open_measures"] == 0

    # A change of the tree (a marker naming no agency), or kept rows of another day, have
    # every agency's figures computed again.
    await mark_follow_up_figures()
    assert await figures.refresh(DAY) == 6
    assert await figures.refresh(DAY + timedelta(days=1)) == 6


async def test_a_large_subtree_reads_its_kept_figures_while_changes_in_it_wait(
    monkeypatch: Any,
) -> None:
    w = await build_jobs_world()
    head = await _head(w)
    await figures.refresh(DAY)
    kept, _, _ = await figures.figures_for(head, DAY)
    await Measure.update({Measure.status: "done"}).where(Measure.id == w.measure)
    await mark_change(w.division, [DAY])
    agencies = await Agency.count()

    # A subtree of as many agencies as the limit is still read live, with the change ...
    monkeypatch.setattr(figures, "LIVE_WHILE_PENDING_AGENCIES", agencies)
    current, _, source = await figures.figures_for(head, DAY)
    assert source == "live" and current["open_measures"] == 0
    # ... one of more shows what is kept, with its time, until the refresh.
    monkeypatch.setattr(figures, "LIVE_WHILE_PENDING_AGENCIES", agencies - 1)
    current, _, source = await figures.figures_for(head, DAY)
    assert source == "pending" and current == kept and current["open_measures"] == 1
    # A change elsewhere is not waiting for this reader: the finance department's lead
    # reads its kept figures as current.
    finance = await Agency.select(Agency.path).where(Agency.id == w.finance).first()
    finance_lead = Principal(
        w.finance_lead, "tc_lead", "Trưởng", "lead", w.finance, finance["path"]
    )
    assert (await figures.figures_for(finance_lead, DAY))[2] == "stored"
    # A change of the tree is read live whatever the size: names and places may differ.
    await mark_follow_up_figures()
    assert (await figures.figures_for(head, DAY))[2] == "live"
    await figures.refresh(DAY)
    current, _, source = await figures.figures_for(head, DAY)
    assert source == "stored" and current["open_measures"] == 0


async def test_a_kept_row_that_disagrees_with_the_records_is_reported() -> None:
    w = await build_jobs_world()
    await figures.refresh(DAY)
    await Measure.update({Measure.amount_vnd: 150_000_000}).where(Measure.id == w.measure)
    problems = await figures.check(DAY)
    assert problems and all("followup" in line for line in problems)
    assert any("TTT" in line and "subtree" in line for line in problems)


async def test_a_renamed_unit_is_read_under_its_new_name_at_once() -> None:
    from inspect_app.schemas.admin import AgencyUpdate
    from inspect_app.services import agencies

    w = await build_jobs_world()
    head = await _head(w)
    await figures.refresh(DAY)
    admin = Principal(0, "admin", "Quản trị", "admin", w.province, head.agency_path)
    finance = await Agency.select(Agency.version).where(Agency.id == w.finance).first()
    await agencies.update(
        admin, w.finance, AgencyUpdate(version=finance["version"], name="Sở Tài chính tỉnh")
    )
    # The kept figures name the old unit: they are not read until refreshed.
    assert await figures.kept_units(w.province, True, DAY) is None
    current, _, source = await figures.figures_for(head, DAY)
    assert source == "live"
    assert current["overdue_units"] == {"Phòng Nghiệp vụ 1": 1, "Sở Tài chính tỉnh": 1}
