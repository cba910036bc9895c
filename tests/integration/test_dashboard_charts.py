"""The dashboard's charts: money per quarter over two years, overdue deadlines per unit."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from inspect_app.domain.periods import current_quarter, last_quarters
from inspect_app.services import totals
from jobs.totals import refresh_periods
from models.tables import AgencyTotals, Execution
from tests.integration.jobs_support import build_jobs_world, sign_in

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

TODAY = date(2026, 3, 21)


async def test_the_quarters_read_from_the_totals_table_equal_the_live_figures() -> None:
    w = await build_jobs_world()
    await Execution(measure=w.measure, executed_on=date(2026, 2, 1), amount_vnd=20_000_000).save()
    quarters = last_quarters(current_quarter(TODAY), 8)
    live = await totals.quarter_figures(w.province, quarters)
    assert await AgencyTotals.count() == 0
    await refresh_periods(quarters)
    assert await AgencyTotals.count() > 0
    stored = await totals.quarter_figures(w.province, quarters)
    assert stored == live
    q1 = stored["2026-Q1"]
    # TT-02/2026 concluded on 10/01/2026 recommends 120 triệu; 20 triệu came in on 01/02.
    assert q1["inspections"]["recover_vnd"] == 120_000_000
    assert q1["implementation"]["recovered_vnd"] == 20_000_000
    assert stored["2025-Q4"]["implementation"]["recovered_vnd"] == 0


async def test_the_dashboard_draws_both_charts_with_quarters_and_units(
    client: Any, monkeypatch: Any
) -> None:
    import inspect_app.controllers.dashboard as controller

    monkeypatch.setattr(controller, "today", lambda: TODAY)
    w = await build_jobs_world()
    await sign_in(client, w.head)
    page = (await client.get("/")).text
    trend = page[page.index('data-testid="chart-trend"') :]
    trend = trend[: trend.index("</svg>")]
    assert trend.count("<circle") == 16  # two series of eight quarters
    # 21/03/2026 lies in Q2 (Q1 ends on 14/03): Q3/2024 to Q2/2026.
    assert "Quý III/2024" in trend and "Quý II/2026" in trend and "Quý II/2024" not in trend
    overdue = page[page.index('data-testid="chart-overdue"') :]
    overdue = overdue[: overdue.index("</svg>")]
    bars = re.findall(
        r'<a href="([^"]+)">.*?<text[^>]*>([^<]+)</text>.*?>(\d+)</text></a>', overdue
    )
    assert sorted((name, int(n)) for _, name, n in bars) == [
        ("Phòng Nghiệp vụ 1", 1),
        ("Sở Tài chính", 1),
    ]
    assert all(href.startswith("/follow-ups?state=overdue") for href, _, _ in bars)


async def test_nothing_overdue_says_so(client: Any, monkeypatch: Any) -> None:
    import inspect_app.controllers.dashboard as controller

    monkeypatch.setattr(controller, "today", lambda: date(2026, 1, 2))
    w = await build_jobs_world()
    await sign_in(client, w.head)
    page = (await client.get("/")).text
    assert "Không có mục nào quá hạn." in page
