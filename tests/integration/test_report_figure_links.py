"""Every figure of the report page leads to the records it counts, and they add up to it.

On the demo province, for the Q1, 6-month and year reports: every non-zero figure of the
three tables (the total, last year's, the agency's own records and each unit's) links to
the list of its records, chosen by the same rule as the report; the list's total (its count
for a count of cases or conclusions) equals the figure. Then the report page itself is
opened as the province's head and every link on it followed: the total on the page it
opens reads as the figure.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from inspect_app.domain.periods import Period, parse_period
from inspect_app.job_queue import close_pools
from inspect_app.principal import Principal
from inspect_app.seed.demo import DEMO_PASSWORD, load_demo
from inspect_app.services import counter_records, report_runner, reports, totals
from inspect_app.services.counter_records import RecordRequest
from inspect_app.services.report_figures import HasTables, table_of
from inspect_app.services.report_render import table_views
from models.tables import Agency, AppUser

pytestmark = [pytest.mark.usefixtures("db")]

TODAY = date(2026, 12, 1)
LINK = re.compile(r'<a href="(?P<href>/figures\?[^"]+)" data-figure>(?P<text>[^<]*)</a>')
TOTAL = re.compile(r'data-testid="figure-total">([^<]*)<')
LIST_COUNT = re.compile(r'aria-current="true">[^<]*<strong>(\d+)</strong>')


async def _head() -> Principal:
    user = await AppUser.select().where(AppUser.username == "chanhthanhtra").first()
    assert user is not None
    agency = await Agency.select().where(Agency.id == user["agency"]).first()
    assert agency is not None
    return Principal(
        user["id"], user["username"], user["full_name"], "head", agency["id"], agency["path"]
    )


def _cell(counter: str, value: int | str) -> int:
    """A counter's figure in the unit its records add (land in hundredths of m²)."""
    if counter_records.unit_of(counter) == "m2":
        return totals.land_hundredths(value)
    return int(value)


def _request(link: str) -> RecordRequest:
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    return RecordRequest(
        counter=query["counter"],
        period=parse_period(query["period"]),
        agency_id=int(query["agency_id"]),
        own=query.get("own") == "1",
    )


async def _check_period(head: Principal, period: Period) -> int:
    """Every figure of the period's report against its records; how many were followed."""
    figures = await report_runner.compute_figures(head.agency_id, period)
    # The rows of a drawn table: the total, last year's, the change, then each unit.
    sources: list[HasTables | None] = [figures, figures.previous, None, *figures.rows]
    followed = 0
    for view in table_views(figures, "vi"):
        assert len(view.rows) == len(sources)
        for row, source in zip(view.rows, sources, strict=True):
            for index, key in enumerate(view.keys):
                link = view.records_link(row, index)
                if source is None or key is None:
                    assert link == "", (row.kind, key)
                    continue
                cell = _cell(key, table_of(source, view.counters)[key.split(".", 1)[1]])
                if cell == 0:
                    assert link == "", (row.label, key)
                    continue
                assert link, (row.label, key)
                wanted = _request(link)
                assert (wanted.counter, wanted.own) == (key, row.kind == "agency" and row.own)
                found = await counter_records.counter_records(head, wanted)
                assert found.total == cell, (period.code, row.label, key, found.total, cell)
                if counter_records.unit_of(key) == "count" and all(
                    r.value == 1 for r in found.rows
                ):
                    assert found.count == cell, (period.code, row.label, key)
                followed += 1
    return followed


async def test_every_figure_of_the_demo_reports_adds_up_from_its_records(redis_url: str) -> None:
    await load_demo(today=TODAY)
    head = await _head()
    followed = {}
    for code in ("2026-Q1", "2026-6M", "2026-Y"):
        followed[code] = await _check_period(head, parse_period(code))
    # The demo fills every table: hundreds of figures in each report, not a handful.
    assert all(n >= 100 for n in followed.values()), followed


def _digits(text: str) -> int:
    digits = re.sub(r"[^\d]", "", text)
    return int(digits) if digits else 0


async def test_the_report_page_links_each_figure_to_a_list_that_shows_it(
    client: Any, redis_url: str
) -> None:
    await load_demo(today=TODAY)
    head = await _head()
    report = await reports.request_report(head, head.agency_id, "2026-Q1")
    await report_runner.generate_report(report.id)
    await close_pools()
    response = await client.post(
        "/api/auth/login", json={"username": "chanhthanhtra", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    page = await client.get(f"/reports/{report.id}")
    assert page.status_code == 200
    links = [(html.unescape(m["href"]), m["text"]) for m in LINK.finditer(page.text)]
    assert len(links) >= 100
    for href, text in links:
        target = await client.get(href)
        assert target.status_code == 200, href
        shown = TOTAL.search(target.text)
        assert shown, href
        counter = parse_qs(urlsplit(href).query)["counter"][0]
        # The table shows money in million đồng with three decimals, the list in đồng.
        scale = 1000 if counter_records.unit_of(counter) == "vnd" else 1
        assert _digits(shown.group(1)) == _digits(text) * scale, (href, text, shown.group(1))
    # The list names the figure as the report's table heads it, in the reader's language.
    last = await client.get(links[-1][0])
    assert "›" in last.text
    # The case list of the period counts what the report's total counts, table by table.
    figures = (await reports.get_report(head, report.id)).totals
    for table, counters in ((1, "inspections"), (2, "checks")):
        listed = await client.get(f"/inspections?period=2026-Q1&table={table}")
        count = LIST_COUNT.search(listed.text)
        assert count, table
        assert int(count.group(1)) == table_of(figures, counters)["total"] > 0, table
        # The period is chosen from the list, with its dates, the one asked for chosen.
        chosen = '<option value="2026-Q1" selected>Quý I năm 2026 (15/12/2025 – 14/03/2026)'
        assert chosen in listed.text
