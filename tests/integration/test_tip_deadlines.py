"""Tips on the deadline ladder: reminders to whoever handles the tip (the agency's leads
while nobody took it), the overdue notice, the escalation to the head; once each; none for
a decided tip."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jobs.deadlines import watch_deadlines
from models.tables import Notification, Tip
from tests.factories import make_user

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

RECEIVED = date(2026, 3, 1)
DUE = date(2026, 3, 11)  # 10 days


async def _tip(agency_id: int, code: str, status: str = "received") -> int:
    tip = Tip(
        code=code,
        agency=agency_id,
        channel="hotline",
        kind="complaint",
        content="Khiếu nại về việc thu phí không đúng quy định.",
        status=status,
        received_on=RECEIVED,
        due_on=DUE,
    )
    await tip.save()
    return int(tip.id)


async def _notices(tip_id: int) -> list[tuple[int, str]]:
    rows = (
        await Notification.select(Notification.user, Notification.rung)
        .where((Notification.entity_type == "tip") & (Notification.entity_id == tip_id))
        .order_by(Notification.id)
    )
    return [(int(row["user"]), row["rung"]) for row in rows]


async def test_a_tip_climbs_the_ladder(people: dict[str, Any]) -> None:
    province = people["tree"]["P"]
    leads = [await make_user(province, "lead") for _ in range(2)]
    head = await make_user(province, "head")
    tip_id = await _tip(province["id"], "K7Q2M9XHTA")
    decided = await _tip(province["id"], "K7Q2M9XHTB", status="rejected")

    await watch_deadlines(None, "2026-03-05")  # 6 days before: nothing yet
    assert await _notices(tip_id) == []
    await watch_deadlines(None, "2026-03-06")  # 5 days before: the leads, nobody took it
    first = await _notices(tip_id)
    assert sorted(user for user, _ in first) == sorted(lead.principal.id for lead in leads)
    await watch_deadlines(None, "2026-03-06")  # again: nothing new
    assert await _notices(tip_id) == first

    await Tip.update({Tip.handler: leads[0].principal.id}).where(Tip.id == tip_id)
    await watch_deadlines(None, "2026-03-10")  # 1 day before: the handler alone
    await watch_deadlines(None, "2026-03-12")  # overdue the day after
    later = (await _notices(tip_id))[len(first) :]
    assert [user for user, _ in later] == [leads[0].principal.id] * 2
    await watch_deadlines(None, "2026-03-17")  # 6 days late: not yet escalated
    assert len(await _notices(tip_id)) == len(first) + 2
    await watch_deadlines(None, "2026-03-18")  # 7 days late: the head
    assert (await _notices(tip_id))[-1][0] == head.principal.id
    link = (
        await Notification.select(Notification.link, Notification.title)
        .where(Notification.entity_id == tip_id)
        .first()
    )
    assert link["link"] == f"/tips/{tip_id}" and "K7Q2M9XHTA" in link["title"]
    assert await _notices(decided) == []
