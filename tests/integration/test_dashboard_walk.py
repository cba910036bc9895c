"""Every number of the dashboard leads to a page that shows exactly those records.

On the demo province, every demo user (each role, at the province and in its units) opens
the dashboard; for every card and every row of the status table the test follows the link
as that user and reads the count on the page it opens: the status counts of the case list
(the filter's own count), or the summary of the follow-up board (deadlines, overdue, money
left), or the total of the records behind a report figure (fines, recovery recommended and
recovered in the period). A card and its page must agree, with no exception.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest

from inspect_app import clock
from inspect_app.seed.demo import DEMO_PASSWORD, demo_logins, load_demo
from inspect_app.services import follow_up_figures
from models.tables import Agency, AppUser, Tip

pytestmark = [pytest.mark.usefixtures("db")]

CARD = re.compile(
    r'<a class="stat[^"]*" href="(?P<href>[^"]+)"[^>]*>\s*'
    r'<span class="stat__value[^"]*"[^>]*>(?P<value>[^<]*)</span>\s*'
    r'<span class="stat__label">(?P<label>[^<]*)</span>'
)
STATUS_ROW = re.compile(
    r'<tr><td><a href="(?P<href>/inspections\?status=[a-z_]+)">(?P<label>[^<]*)</a></td>'
    r'<td class="num">(?P<value>\d+)</td></tr>'
)
TIP_CELL = re.compile(r'<a class="tip-count" href="(?P<href>[^"]+)">(?P<value>\d+)</a>')
TIP_COUNT = re.compile(r'data-testid="tip-count">.*?<strong>(\d+)', re.S)
LIST_CURRENT = re.compile(r'aria-current="true">[^<]*<strong>(\d+)</strong>')
BOARD_SUMMARY = re.compile(r'data-testid="follow-up-summary">(.*?)</p>', re.S)


def _number(text: str) -> int:
    """A card's figure: "12" or "1.250.000 ₫" as a whole number."""
    digits = re.sub(r"[^\d]", "", text)
    return int(digits) if digits else 0


def _target_count(href: str, page: str) -> int:
    if href.startswith("/tips"):
        found = TIP_COUNT.search(page)
        assert found, f"{href}: no count on the queue"
        return int(found.group(1))
    if href.startswith("/inspections"):
        found = LIST_CURRENT.search(page)
        assert found, f"{href}: no count on the list"
        return int(found.group(1))
    summary = BOARD_SUMMARY.search(page)
    assert summary, f"{href}: no summary on the board"
    strongs = [_number(s) for s in re.findall(r"<strong>(.*?)</strong>", summary.group(1))]
    return strongs[1] if "state=overdue" in href else strongs[0]


def _target_money(href: str, page: str) -> int:
    if href.startswith("/figures"):
        # The records behind a report figure: their total, which must be on the page.
        found = re.search(r'data-testid="figure-total">([^<]*)<', page)
        assert found, f"{href}: no total on the records page"
        return _number(found.group(1))
    found = re.search(r'data-testid="left-vnd">[^<]*<strong>([^<]*)</strong>', page)
    return _number(found.group(1)) if found else 0


async def _walk(client: Any, logins: list[tuple[str, str, str]]) -> tuple[int, list[str]]:
    """Follow every card of every user's dashboard; (cards walked, mismatches)."""
    mismatches: list[str] = []
    walked = 0
    tip_cells = 0
    figures: list[int] = []
    for username, role, _agency in logins:
        client.cookies.clear()
        response = await client.post(
            "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, username
        dashboard = (await client.get("/")).text
        cards = [m.groupdict() for m in CARD.finditer(dashboard)]
        cards += [m.groupdict() for m in STATUS_ROW.finditer(dashboard)]
        tips = [{**m.groupdict(), "label": "tips"} for m in TIP_CELL.finditer(dashboard)]
        tip_cells += len(tips)
        cards += tips
        assert len(cards) >= 16, (username, len(cards))
        for card in cards:
            href = html.unescape(card["href"])
            target = await client.get(href)
            assert target.status_code == 200, (username, href)
            walked += 1
            value = _number(card["value"])
            if "₫" in card["value"]:
                shown = _target_money(href, target.text)
                if href.startswith("/figures"):
                    figures.append(value)
            else:
                shown = _target_count(href, target.text)
            if shown != value:
                mismatches.append(f"{username} ({role}) {card['label']}: {value} vs {href} {shown}")
    # The tips table's cells lead to the queue for those who may open it.
    assert tip_cells > 0
    # Every user has the three report figures, and the demo gives some of them money.
    assert len(figures) == 3 * len(logins) and any(figures)
    return walked, mismatches


async def _tips() -> None:
    """Tips of the demo province in several channels and states, one received last year
    (the dashboard counts this year's)."""
    today = clock.today()
    agencies = [row["id"] for row in await Agency.select(Agency.id).order_by(Agency.id).limit(4)]
    rows = [
        ("hotline", "received", today),
        ("hotline", "accepted", today),
        ("web", "received", today),
        ("web", "rejected", date(today.year, 1, 1)),
        ("web", "received", date(today.year - 1, 12, 31)),
        ("letter", "forwarded", today),
    ]
    for n, (channel, status, received) in enumerate(rows):
        await Tip(
            code=f"WALK{n:06d}",
            agency=agencies[n % len(agencies)],
            channel=channel,
            kind="feedback",
            status=status,
            content=f"Phản ánh {n}",
            anonymous=True,
            received_on=received,
            due_on=received + timedelta(days=10),
        ).save()


async def test_every_card_of_every_demo_user_matches_the_page_it_opens(client: Any) -> None:
    await load_demo(seed=2026)
    await _tips()
    logins = await demo_logins()
    # Computed live (nothing kept yet) ...
    walked, mismatches = await _walk(client, logins)
    assert walked > 200
    assert mismatches == []
    # ... and read from the figures kept per agency, as a national dashboard reads them.
    await follow_up_figures.refresh(clock.today())
    assert await follow_up_figures.check(clock.today()) == []
    head = next(login for login in logins if login[1] == "head")
    agency = await AppUser.select(AppUser.agency).where(AppUser.username == head[0]).first()
    assert await follow_up_figures.stored(agency["agency"], clock.today()) is not None
    walked, mismatches = await _walk(client, logins)
    assert mismatches == []
