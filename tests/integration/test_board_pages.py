"""The board a page of responsible units at a time, read from the kept figures or in SQL.

25 departments each responsible for recommendations: the first page shows 20 units, the
second the last 5; the summary above counts every unit; the groups read from the figures
kept per agency equal the groups summed in SQL, for every open and every overdue deadline.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from inspect_app.principal import Principal
from inspect_app.services import follow_up_figures, follow_ups
from models.tables import Agency, Measure
from tests.integration.jobs_support import build_jobs_world, make_agency, sign_in

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

TODAY = date(2026, 3, 21)


async def _units(w: Any, count: int = 25) -> list[int]:
    ids = []
    for n in range(count):
        agency = await make_agency(f"S{n:02d}", f"Sở số {n:02d}", w.province)
        ids.append(agency)
        await Measure(
            inspection=w.concluded,
            type="recover_land" if n % 5 == 0 else "recover_money",
            description=f"Kiến nghị {n}",
            amount_vnd=1_000_000 * (n + 1),
            land_m2=Decimal("10.50") if n % 5 == 0 else Decimal("0"),
            responsible_agency=agency,
            # Every third one is not due yet; the others are late by n days.
            due_on=TODAY + timedelta(days=5) if n % 3 == 0 else TODAY - timedelta(days=n + 1),
            status="open",
        ).save()
    return ids


async def _head(w: Any) -> Principal:
    agency = await Agency.select(Agency.path).where(Agency.id == w.province).first()
    return Principal(w.head, "chanh", "Chánh thanh tra", "head", w.province, agency["path"])


def _names(page: str) -> set[str]:
    return set(re.findall(r'data-testid="follow-up-group">\s*<h2>([^<]+?) <span', page))


@pytest.mark.parametrize("state", ["open", "overdue"])
async def test_kept_groups_equal_the_groups_summed_in_sql(state: str) -> None:
    w = await build_jobs_world()
    await _units(w)
    head = await _head(w)
    board = follow_ups.BoardFilter(state=state)
    known = await follow_ups.ladders()
    summed = await follow_ups.unit_groups(head, board, TODAY, known)
    await follow_up_figures.refresh(TODAY)
    assert await follow_up_figures.kept_units(w.province, True, TODAY) is not None
    kept = await follow_ups.unit_groups(head, board, TODAY, known)
    assert kept == summed
    assert len(summed) == (27 if state == "open" else 18)  # 25 + the world's two units


async def test_a_page_of_twenty_units_then_the_rest(client: Any, monkeypatch: Any) -> None:
    import inspect_app.controllers.follow_ups as controller

    monkeypatch.setattr(controller, "today", lambda: TODAY)
    w = await build_jobs_world()
    await _units(w)
    await sign_in(client, w.head)
    first = (await client.get("/follow-ups")).text
    assert first.count('data-testid="follow-up-group"') == 20
    assert "Đơn vị 1–20 / 27" in first
    # The summary counts every unit's deadlines, not the page's.
    summary = first[first.index('data-testid="follow-up-summary"') :][:300]
    assert "<strong>27</strong>" in summary  # 25 + the world's recommendation and conclusion
    second = (await client.get("/follow-ups?group_page=2")).text
    assert second.count('data-testid="follow-up-group"') == 7
    assert not _names(first) & _names(second)
    assert len(_names(first) | _names(second)) == 27
    # A page past the last is the last; a hostile one is the first.
    assert (await client.get("/follow-ups?group_page=99")).text.count(
        'data-testid="follow-up-group"'
    ) == 7
    assert (await client.get("/follow-ups?group_page=-1")).status_code == 200
    assert (await client.get("/follow-ups?group_page=99999999999999")).status_code == 200


async def test_each_group_of_a_page_shows_the_first_ten_of_its_deadlines() -> None:
    w = await build_jobs_world()
    units = await _units(w)
    # One unit with fourteen recommendations (the page cuts it at ten), one recommendation of
    # a unit's own case addressed to nobody, and two addressed in free text only.
    for n in range(13):
        await Measure(
            inspection=w.concluded,
            type="policy",
            description=f"Thêm {n}",
            responsible_agency=units[1],
            due_on=TODAY - timedelta(days=30 - n),
            status="open",
        ).save()
    for text in ("Công ty TNHH Hòa Bình", "Ông Nguyễn Văn A"):
        await Measure(
            inspection=w.concluded,
            type="policy",
            description=text,
            responsible=text,
            due_on=TODAY - timedelta(days=40),
            status="open",
        ).save()
    head = await _head(w)
    board = follow_ups.BoardFilter()
    everything = await follow_ups.board_all(head, board, TODAY)
    expected: dict[str, list[tuple[str, int]]] = {}
    for row in everything:
        expected.setdefault(row.unit_name, []).append((row.entity_type, row.entity_id))
    seen = 0
    for page in (1, 2):
        result = await follow_ups.board_groups(head, board, TODAY, 10, page=page)
        for group in result.groups:
            shown = [(r.entity_type, r.entity_id) for r in group.rows]
            assert shown == expected[group.unit_name][:10], group.unit_name
            seen += 1
    assert seen == len(expected) == 28  # 25 + the world's two units + the unidentified one
    # A group shown whole has all its rows.
    result = await follow_ups.board_groups(head, board, TODAY, 10, expanded="Sở số 01")
    whole = next(g for g in result.groups if g.unit_name == "Sở số 01")
    assert len(whole.rows) == 14
