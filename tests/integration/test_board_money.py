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


def _measure_links(page: str) -> set[int]:
    return {int(found) for found in re.findall(r'href="/measures/(\d+)"', page)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Today 21/03: the fixture's due 20/03 is 1 day late, money due 10/03 11 days,
        # land due 01/03 20 days.
        ("overdue_days=0", {"money", "land", "fixture"}),
        ("overdue_days=1", {"money", "land"}),
        ("overdue_days=10", {"money", "land"}),
        ("overdue_days=11", {"land"}),
        ("overdue_days=19", {"land"}),
        ("overdue_days=20", set()),
        # Left: money 500.000.000, the fixture's 120.000.000.
        ("min_left_vnd=499.999.999", {"money"}),
        ("min_left_vnd=500000000", set()),
        ("min_left_vnd=119999999", {"money", "fixture"}),
        ("measure_type=recover_land", {"land"}),
        ("measure_type=discipline", {"discipline"}),
    ],
)
async def test_the_narrower_filters_at_their_edges(
    client: Any, monkeypatch: Any, query: str, expected: set[str]
) -> None:
    w = await build_jobs_world()
    ids = {**await _recommendations(w), "fixture": w.measure}
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)
    page = await client.get(f"/follow-ups?{query}")
    assert page.status_code == 200
    assert _measure_links(page.text) == {ids[key] for key in expected}
    api = await client.get(f"/api/follow-ups?{query.replace('.', '')}")
    assert api.status_code == 200, api.text[:300]
    measures = {
        item["entity_id"] for item in api.json()["items"] if item["entity_type"] == "measure"
    }
    assert measures == {ids[key] for key in expected}


async def test_the_plan_year_and_case_filters(client: Any, monkeypatch: Any) -> None:
    from models.tables import Inspection, Plan

    w = await build_jobs_world()
    ids = await _recommendations(w)
    plan = Plan(agency=w.division, year=2025, title="Kế hoạch 2025", status="approved")
    await plan.save()
    await Inspection.update({Inspection.plan: plan.id}).where(Inspection.id == w.concluded)
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)
    in_plan = _measure_links((await client.get("/follow-ups?plan_year=2025")).text)
    assert in_plan == {*ids.values(), w.measure}
    assert _measure_links((await client.get("/follow-ups?plan_year=2026")).text) == set()
    case = _measure_links((await client.get(f"/follow-ups?inspection_id={w.concluded}")).text)
    assert case == {*ids.values(), w.measure}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("overdue_days=-1", "overdue_days"),
        ("overdue_days=3651", "overdue_days"),
        ("min_left_vnd=abc", "min_left_vnd"),
        ("plan_year=1989", "plan_year"),
        ("measure_type=hang", "measure_type"),
    ],
)
async def test_bad_filter_values_come_back_beside_their_field(
    client: Any, monkeypatch: Any, query: str, field: str
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)
    page = await client.get(f"/follow-ups?{query}")
    assert page.status_code == 422
    assert f'id="e-{field}"' in page.text
    api = await client.get(f"/api/follow-ups?{query}")
    assert api.status_code in (400, 422)
    assert [e["field"] for e in api.json()["errors"]] == [field]


async def test_free_text_that_names_no_agency_is_grouped_as_not_identified(
    client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    typed = Measure(
        inspection=w.concluded,
        type="recover_money",
        description="Nộp lại tiền hỗ trợ sai đối tượng",
        amount_vnd=30_000_000,
        responsible="Công ty TNHH Hòa Phát Hà Nam",
        status="open",
        due_on=date(2026, 3, 15),
    )
    await typed.save()
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)
    page = (await client.get("/follow-ups")).text
    assert "<h2>Chưa xác định đơn vị <span" in page
    row = _row(page, int(typed.id))
    assert "Gửi: Công ty TNHH Hòa Phát Hà Nam" in row
    found = (await client.get("/follow-ups?responsible=hòa phát")).text
    assert _measure_links(found) == {int(typed.id)}


async def test_the_migration_links_text_that_names_exactly_one_agency(
    monkeypatch: Any,
) -> None:
    import importlib

    w = await build_jobs_world()
    await Measure.update({Measure.responsible_agency: None}).where(Measure.id == w.measure)
    spelled = Measure(
        inspection=w.concluded, type="policy", responsible="  sở   tài chính ", status="open"
    )
    unknown = Measure(
        inspection=w.concluded, type="policy", responsible="Công ty Hòa Phát", status="open"
    )
    await spelled.save()
    await unknown.save()
    migration = importlib.import_module(
        "models.piccolo_migrations.models_2026_12_05t11_00_00_000000"
    )
    assert await migration.link_responsible_agencies() == 2
    rows = {
        row["id"]: row["responsible_agency"]
        for row in await Measure.select(Measure.id, Measure.responsible_agency)
    }
    assert rows[w.measure] == w.finance  # "Sở Tài chính", exactly
    assert rows[int(spelled.id)] == w.finance  # spaces and case aside
    assert rows[int(unknown.id)] is None
    assert await migration.link_responsible_agencies() == 0
