"""The deadline watch, run by a real arq worker in burst mode against real Redis.

A case awaits its conclusion (due 20/03/2026) and a measure is due the same day. Day by day,
from 5 days before to 7 days after, the watch must send exactly the reminders, overdue
notices and escalations of the default ladder, to exactly the right people, once.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspect_app.services.follow_ups import ladders
from jobs.deadlines import watch_deadlines
from models.tables import AppUser, DeadlineLadder, Inspection, Measure, Notification
from tests.integration.jobs_support import (
    DUE,
    JobsWorld,
    build_jobs_world,
    make_user,
    notice_keys,
    run_jobs,
)

pytestmark = pytest.mark.storage


def watch_on(day: date) -> tuple[str, tuple[str], str]:
    return ("watch_deadlines", (day.isoformat(),), f"test-watch:{day.isoformat()}")


def expected_by_day(w: JobsWorld) -> dict[int, set[tuple[int, str, int, str, str]]]:
    """New notices per day offset from the due day, written out by hand."""
    case, measure = w.awaiting_conclusion, w.measure

    def team(rung: str) -> set[tuple[int, str, int, str, str]]:
        return {
            # Case deadline: the lead of the case and its team members.
            (w.lead, "inspection", case, "conclusion", rung),
            (w.member, "inspection", case, "conclusion", rung),
            # Measure: the lead of the case and the leads of the responsible agency.
            (w.lead, "measure", measure, "measure", rung),
            (w.finance_lead, "measure", measure, "measure", rung),
        }

    return {
        -5: team("remind_5"),
        -1: team("remind_1"),
        1: team("overdue"),
        # No head in the division: the escalation climbs to the province's head.
        7: {
            (w.head, "inspection", case, "conclusion", "escalate"),
            (w.head, "measure", measure, "measure", "escalate"),
        },
    }


async def test_day_by_day_the_watch_sends_exactly_the_ladder_once(db: str, redis_url: str) -> None:
    w = await build_jobs_world()
    expected = expected_by_day(w)
    seen: set[tuple[int, str, int, str, str]] = set()
    for offset in range(-5, 8):
        await run_jobs(redis_url, watch_on(DUE + timedelta(days=offset)))
        now = await notice_keys()
        assert now - seen == expected.get(offset, set()), f"day {offset:+d}"
        seen = now
    assert await Notification.count() == 14

    # The whole sequence again: nothing new, not a single duplicate.
    for offset in range(-5, 8):
        await run_jobs(redis_url, watch_on(DUE + timedelta(days=offset)))
    assert await Notification.count() == 14


async def test_notice_content_link_and_language(db: str, redis_url: str) -> None:
    w = await build_jobs_world()
    await run_jobs(redis_url, watch_on(date(2026, 3, 21)))
    lead_notice = (
        await Notification.select()
        .where((Notification.user == w.lead) & (Notification.entity_type == "inspection"))
        .first()
    )
    assert lead_notice["kind"] == "overdue"
    assert lead_notice["title"] == "Kết luận thanh tra của TT-01/2026 đã quá hạn từ 20/03/2026."
    assert lead_notice["link"] == f"/inspections/{w.awaiting_conclusion}"
    assert lead_notice["due_on"] == DUE
    assert lead_notice["read_at"] is None
    member_notice = (
        await Notification.select(Notification.title).where(Notification.user == w.member).first()
    )
    assert member_notice["title"] == "Conclusion of TT-01/2026 is overdue since 20/03/2026."
    measure_notice = (
        await Notification.select(Notification.body, Notification.link)
        .where(Notification.user == w.finance_lead)
        .first()
    )
    assert measure_notice["link"] == f"/inspections/{w.concluded}"
    assert measure_notice["body"] == (
        "Thanh tra thu chi ngân sách\nThu hồi 120.000.000 đ về ngân sách"
    )


async def test_two_workers_racing_on_the_same_day_create_each_notice_once(
    db: str, redis_url: str
) -> None:
    await build_jobs_world()
    day = (DUE + timedelta(days=7)).isoformat()
    # Two distinct jobs for the same day, run concurrently by one worker (max_jobs 10).
    await run_jobs(
        redis_url,
        ("watch_deadlines", (day,), "race-a"),
        ("watch_deadlines", (day,), "race-b"),
        ("watch_deadlines", (day,), "race-c"),
    )
    # Caught up at once: overdue for the 4 team recipients, escalation for the 2 deadlines.
    assert await Notification.count() == 6


async def test_done_deadlines_and_a_moved_due_day(db: str, redis_url: str) -> None:
    w = await build_jobs_world()
    await run_jobs(redis_url, watch_on(DUE - timedelta(days=1)))
    assert await Notification.count() == 4
    # The conclusion is signed and the measure is extended by ten days.
    await Inspection.update(
        {Inspection.status: "concluded", Inspection.concluded_on: DUE - timedelta(days=1)}
    ).where(Inspection.id == w.awaiting_conclusion)
    await Measure.update({Measure.due_on: DUE + timedelta(days=10)}).where(Measure.id == w.measure)
    await run_jobs(redis_url, watch_on(DUE + timedelta(days=8)))
    # Nothing more for the signed conclusion, nothing overdue for the measure: its new due
    # day (30/03) has a ladder of its own, and 28/03 is within the 5-day reminder.
    rows = await Notification.select(Notification.user, Notification.rung).where(
        Notification.due_on == DUE + timedelta(days=10)
    )
    assert sorted((r["user"], r["rung"]) for r in rows) == [
        (w.lead, "remind_5"),
        (w.finance_lead, "remind_5"),
    ]
    assert await Notification.count() == 6


async def test_an_admins_ladder_applies_on_the_next_run(db: str) -> None:
    w = await build_jobs_world()
    await DeadlineLadder.update(
        {DeadlineLadder.remind_days: [10], DeadlineLadder.escalate_after_days: 3}
    ).where(DeadlineLadder.deadline_type == "measure")
    assert (await ladders())["measure"].remind_days == (10,)

    summary = await watch_deadlines(None, (DUE - timedelta(days=10)).isoformat())
    assert summary["created"] == 2  # the measure's recipients, ten days ahead
    summary = await watch_deadlines(None, (DUE + timedelta(days=3)).isoformat())
    keys = await notice_keys()
    assert (w.head, "measure", w.measure, "measure", "escalate") in keys
    assert (w.head, "inspection", w.awaiting_conclusion, "conclusion", "escalate") not in keys


async def test_in_process_schedule_runs_once_per_interval_and_one_process_at_a_time(
    db: str,
) -> None:
    from datetime import UTC, datetime

    from inspect_app.services.health import check_worker
    from inspect_app.settings import get_settings
    from jobs.inprocess import InProcessScheduler, last_run

    await build_jobs_world()
    first, second = InProcessScheduler(), InProcessScheduler()
    now = datetime.now(UTC)
    assert await first.tick(now) is True
    # The other web process waits while the lease is held.
    assert await second.tick(now) is False
    assert await check_worker(get_settings()) == "ok"
    ran_at = await last_run("watch_deadlines")
    assert ran_at is not None
    created = await Notification.count()
    # Within the interval the watch does not run again; the nightly rebuild ran once.
    assert await first.tick(now + timedelta(minutes=5)) is True
    assert await last_run("watch_deadlines") == ran_at
    assert await Notification.count() == created
    await first.stop()
    # Once the holder has stopped, the other process takes over.
    assert await second.tick(now + timedelta(minutes=16)) is True
    assert await last_run("watch_deadlines") != ran_at


async def test_first_start_catches_up_recent_rungs_but_sends_no_stale_flood(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEADLINE_CATCH_UP_DAYS", raising=False)  # the default, 3 days
    w = await build_jobs_world()

    # 30 days after the due day the last rung (escalation, day +7) is 23 days old: a worker
    # starting for the first time must not send a month of old notices.
    await watch_deadlines(None, (DUE + timedelta(days=30)).isoformat())
    assert await Notification.count() == 0

    # Day +9: the escalation fell due 2 days ago, within the window, so the deadline catches
    # up on what still matters: the overdue notice and the escalation. Reminders that the
    # deadline is coming are not sent after it has passed.
    await watch_deadlines(None, (DUE + timedelta(days=9)).isoformat())
    by_day = expected_by_day(w)
    assert await notice_keys() == by_day[1] | by_day[7]


async def test_a_long_catch_up_spanning_several_statements_misses_no_deadline(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a 60-day window the watch owes rungs on more due days than one statement takes
    # (jobs.deadlines._DAYS_PER_STATEMENT): every one of them must still be notified.
    monkeypatch.setenv("DEADLINE_CATCH_UP_DAYS", "60")
    w = await build_jobs_world()
    today = DUE + timedelta(days=3)
    template = await Measure.select().where(Measure.id == w.measure).first()
    assert template is not None
    extra = {}
    for days_before in (20, 41, 55):
        measure = Measure(
            inspection=template["inspection"],
            type="recover_money",
            description=f"Khoản {days_before}",
            amount_vnd=1_000_000,
            responsible_agency=w.finance,
            due_on=today - timedelta(days=days_before),
            status="open",
        )
        await measure.save()
        extra[days_before] = int(measure.id)
    summary = await watch_deadlines(None, today.isoformat())
    assert summary["due_days"] > 40
    overdue = {
        row["entity_id"]
        for row in await Notification.select(Notification.entity_id).where(
            (Notification.entity_type == "measure") & (Notification.rung == "overdue")
        )
    }
    assert overdue >= {w.measure, *extra.values()}
    # Escalated too: each is more than seven days past its due day.
    escalated = {
        row["entity_id"]
        for row in await Notification.select(Notification.entity_id).where(
            (Notification.entity_type == "measure") & (Notification.rung == "escalate")
        )
    }
    assert escalated == set(extra.values())
    # And a rerun sends nothing new.
    assert (await watch_deadlines(None, today.isoformat()))["created"] == 0


async def test_escalation_goes_to_the_nearest_active_head_and_no_one_inactive_is_told(
    db: str,
) -> None:
    w = await build_jobs_world()
    # The division gets a head of its own, not active yet; the member leaves.
    division_head = await make_user("nv1_truong", "head", w.division)
    await AppUser.update({AppUser.active: False}).where(AppUser.id.is_in([division_head, w.member]))
    by_day = expected_by_day(w)

    await watch_deadlines(None, (DUE - timedelta(days=1)).isoformat())
    # The team's reminders, without the member who left.
    assert await notice_keys() == {key for key in by_day[-1] if key[0] != w.member}

    # An inactive head does not count: the escalation still climbs to the province's head.
    await watch_deadlines(None, (DUE + timedelta(days=7)).isoformat())
    escalations = {key for key in await notice_keys() if key[4] == "escalate"}
    assert escalations == by_day[7]

    # Once the division's head is active, the nearest head is theirs, not the province's.
    await AppUser.update({AppUser.active: True}).where(AppUser.id == division_head)
    await Notification.delete(force=True)
    await watch_deadlines(None, (DUE + timedelta(days=7)).isoformat())
    assert {key for key in await notice_keys() if key[4] == "escalate"} == {
        (division_head, "inspection", w.awaiting_conclusion, "conclusion", "escalate"),
        (division_head, "measure", w.measure, "measure", "escalate"),
    }


async def test_a_head_leading_a_case_is_told_as_lead_and_as_head_and_a_case_without_lead(
    db: str,
) -> None:
    w = await build_jobs_world()
    # The province's head leads the recommendations' case; the awaiting case has no lead.
    await Inspection.update({Inspection.lead_user: w.head}).where(Inspection.id == w.concluded)
    await Inspection.update({Inspection.lead_user: None}).where(
        Inspection.id == w.awaiting_conclusion
    )

    await watch_deadlines(None, (DUE - timedelta(days=1)).isoformat())
    assert await notice_keys() == {
        # Without a lead, the case's team is still told (the lead stays a member).
        (w.lead, "inspection", w.awaiting_conclusion, "conclusion", "remind_1"),
        (w.member, "inspection", w.awaiting_conclusion, "conclusion", "remind_1"),
        # The head, as the case's lead, with the responsible agency's lead.
        (w.head, "measure", w.measure, "measure", "remind_1"),
        (w.finance_lead, "measure", w.measure, "measure", "remind_1"),
    }

    await Notification.delete(force=True)
    await watch_deadlines(None, (DUE + timedelta(days=7)).isoformat())
    # Each deadline escalates once to the head, the lead or not.
    assert {key for key in await notice_keys() if key[4] == "escalate"} == {
        (w.head, "inspection", w.awaiting_conclusion, "conclusion", "escalate"),
        (w.head, "measure", w.measure, "measure", "escalate"),
    }
