"""The follow-up board carries the money and land: each recommendation's target, done and
left in its own unit, its status word, a link to it, and per-unit and whole-filter sums."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from models.tables import Measure
from tests.integration.jobs_support import build_jobs_world, sign_in

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


def _today(monkeypatch: Any, day: date) -> None:
    import inspect_app.controllers.follow_ups as controller

    monkeypatch.setattr(controller, "today", lambda: day)


async def _recommendations(w: Any) -> dict[str, int]:
    """On the concluded case, for Sở Tài chính: 1 tỷ with 500 triệu paid (due 10/03), land
    1.250,50 m² with 250,50 done (due 01/03), discipline of 1 collective and 2 people."""
    ids = {}
    for key, fields in {
        "money": {
            "type": "recover_money",
            "amount_vnd": 1_000_000_000,
            "done_vnd": 500_000_000,
            "status": "partial",
            "due_on": date(2026, 3, 10),
        },
        "land": {
            "type": "recover_land",
            "land_m2": Decimal("1250.50"),
            "done_m2": Decimal("250.50"),
            "status": "partial",
            "due_on": date(2026, 3, 1),
        },
        "discipline": {
            "type": "discipline",
            "collectives": 1,
            "individuals": 2,
            "status": "open",
            "due_on": date(2026, 6, 30),
        },
    }.items():
        measure = Measure(
            inspection=w.concluded,
            description=f"Kiến nghị {key}",
            responsible_agency=w.finance,
            **fields,
        )
        await measure.save()
        ids[key] = int(measure.id)
    return ids


def _row(page: str, measure_id: int) -> str:
    start = page.index(f'href="/measures/{measure_id}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


async def test_each_recommendation_row_shows_what_is_left_in_its_unit_and_its_status(
    client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    ids = await _recommendations(w)
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)
    page = (await client.get("/follow-ups")).text

    money = _row(page, ids["money"])
    assert "500.000.000\xa0₫" in money or "500.000.000 ₫" in money
    assert "Thực hiện một phần" in money and ">Mở<" not in money
    land = _row(page, ids["land"])
    assert "1.000,00" in land and "Thực hiện một phần" in land
    discipline = _row(page, ids["discipline"])
    assert "1 tập thể / 2 cá nhân" in discipline and "Chưa thực hiện" in discipline
    # The case's own link stays beside the recommendation's.
    assert f'href="/inspections/{w.concluded}"' in money


async def test_group_and_filter_sums_equal_the_rows_and_name_the_oldest_overdue_day(
    client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    await _recommendations(w)
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)
    page = (await client.get("/follow-ups")).text
    groups = re.findall(
        r'data-testid="follow-up-group">.*?<h2>(.*?) <span.*?</h2>(.*?)</section>', page, re.S
    )
    finance = next(body for name, body in groups if name.strip() == "Sở Tài chính")
    figures = finance[: finance.index("<table")]
    # Left: 1 tỷ - 500 triệu + the fixture's 120 triệu (nothing paid) = 620 triệu; land 1.000 m².
    assert "620.000.000" in figures and "1.000,00" in figures
    # The oldest overdue deadline of the unit: the land recommendation's 01/03/2026.
    assert "01/03/2026" in figures
    summary = page[page.index('data-testid="follow-up-summary"') :][:800]
    assert "620.000.000" in summary and "01/03/2026" in summary


async def test_a_unit_with_nothing_left_to_recover_shows_no_money_figures(
    client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 1, 2))  # before every deadline of the world
    await sign_in(client, w.head)
    await Measure.delete().where(Measure.id == w.measure)
    page = (await client.get("/follow-ups")).text
    assert 'data-testid="left-vnd"' not in page
