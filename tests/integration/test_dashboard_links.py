"""Dashboard cards lead somewhere their reader may go, and the list behind a card is
filtered the way the card counts."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from inspect_app import clock
from inspect_app.domain.periods import current_quarter
from models.tables import Inspection
from tests.integration.jobs_support import build_jobs_world, make_user, sign_in

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.mark.parametrize("role", ["inspector", "lead", "head", "viewer"])
async def test_every_card_link_answers_200_for_each_role(client: Any, role: str) -> None:
    w = await build_jobs_world()
    user = await make_user(f"dash_{role}", role, w.division)
    await sign_in(client, user)
    page = (await client.get("/")).text
    assert page.count('class="stat') >= 4
    links = re.findall(r'<a class="stat[^"]*" href="([^"]+)"', page)
    assert links
    for link in links:
        response = await client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, (role, link)
    # Every role that reads cases reads the board those cards open.
    assert 'href="/follow-ups?state=overdue&amp;deadline_type=measure"' in page


@pytest.mark.parametrize("value", ["true", "yes"])
async def test_the_overdue_filter_keeps_only_cases_past_a_legal_deadline(
    client: Any, value: str
) -> None:
    w = await build_jobs_world()
    on_time = Inspection(
        code="TT-09/2026",
        agency=w.division,
        title="Thanh tra đúng hạn",
        status="onsite",
        announced_on=date(2026, 11, 20),
        onsite_due=date(2099, 1, 1),
    )
    await on_time.save()
    await sign_in(client, w.head)
    overdue = (await client.get(f"/inspections?overdue={value}")).text
    everything = (await client.get("/inspections")).text
    assert "TT-09/2026" in everything
    assert "TT-09/2026" not in overdue
    assert "TT-01/2026" in overdue  # its conclusion was due on 20/03/2026


async def test_the_records_page_keeps_a_bad_request_and_names_each_field(client: Any) -> None:
    w = await build_jobs_world()
    await sign_in(client, w.head)
    bare = await client.get("/figures")
    assert bare.status_code == 200
    current = current_quarter(clock.today()).code
    # The period is chosen from a list, the running quarter first chosen.
    assert f'<option value="{current}" selected>' in bare.text
    response = await client.get("/figures?counter=checks.nothing&period=2026-Q9&page=0")
    assert response.status_code == 422
    page = response.text
    for field in ("counter", "period", "page"):
        assert f'id="e-{field}"' in page, field
    # Neither value is on the lists: nothing is chosen, and the message says to choose.
    assert "selected>" not in page.split('id="f-period"')[1].split("</select>")[0]
    assert 'data-testid="figure-records"' not in page
    good = await client.get("/figures?counter=checks.fines_vnd&period=2026-Q1")
    assert good.status_code == 200
    assert 'data-testid="figure-total">0 ₫<' in good.text


async def test_the_page_says_when_its_figures_are_kept_and_when_changes_are_waiting(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app.services import follow_up_figures
    from inspect_app.services.changes import mark_change

    w = await build_jobs_world()
    await sign_in(client, w.head)
    # Nothing kept yet: computed live, no time shown.
    assert 'data-testid="follow-up-as-of"' not in (await client.get("/")).text
    await follow_up_figures.refresh(clock.today())
    kept = (await client.get("/")).text
    assert 'data-testid="follow-up-as-of"' in kept and "đang được cập nhật" not in kept
    # A change waits for the refresh: a subtree above the limit reads the kept figures and
    # says that the latest changes are on their way.
    monkeypatch.setattr(follow_up_figures, "LIVE_WHILE_PENDING_AGENCIES", 0)
    await mark_change(w.division, [clock.today()])
    waiting = (await client.get("/")).text
    assert "Các thay đổi mới nhất đang được cập nhật" in waiting
