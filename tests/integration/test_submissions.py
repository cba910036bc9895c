"""Units submit their signed reports to the province, which tracks them and consolidates.

Four departments under the province; three submit their Q1 2026 report (two by the due
day, 20/03/2026, one on 23/03), the fourth does not. The province's tracker shows 3/4 with
the late one and the missing one marked; its consolidated report made from the submitted
figures equals the one made from the records while nothing changed, and keeps the
submitted figures when the records change afterwards. A returned report counts as not
submitted until it comes again; the "report" ladder reminds and escalates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import msgspec
import pytest

from inspect_app import clock
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.job_queue import close_pools
from inspect_app.principal import Principal
from inspect_app.security import hash_password
from inspect_app.services import report_runner, reports, submissions
from inspect_app.services.report_figures import ReportFigures
from inspect_app.services.report_render import table_views
from inspect_app.services.totals import TABLES
from jobs.deadlines import watch_deadlines
from models.tables import Agency, AppUser, Notification, Report, ReportSubmission
from tests.integration.report_dataset import add_agency, add_case, add_execution, add_measure

pytestmark = pytest.mark.usefixtures("db")

D = date
Q1 = "2026-Q1"
PASSWORD = "Mat-khau-thu-nghiem-1"


async def _head(agency_id: int, username: str) -> Principal:
    path = (await Agency.select(Agency.path).where(Agency.id == agency_id).first() or {})["path"]
    user = AppUser(
        username=username,
        full_name=f"Chánh {username}",
        role="head",
        agency=agency_id,
        password_hash=hash_password(PASSWORD),
    )
    await user.save()
    return Principal(int(user.id), username, user.full_name, "head", agency_id, str(path))


@pytest.fixture
async def province(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[dict[str, Any]]:
    """The province, its four departments with a concluded Q1 case each, and their heads."""
    day = {"today": D(2026, 3, 18)}
    monkeypatch.setattr(clock, "today", lambda: day["today"])
    from inspect_app.services.catalogues import ensure_catalogues

    await ensure_catalogues()
    top = await add_agency("TTT", "Thanh tra tỉnh", None, "/")
    await Agency.update({Agency.doc_symbol: "TTr", Agency.place_name: "Hạ Long"}).where(
        Agency.id == top
    )
    units = {}
    for n, (code, name) in enumerate(
        [
            ("SXD", "Sở Xây dựng"),
            ("STC", "Sở Tài chính"),
            ("SYT", "Sở Y tế"),
            ("SGD", "Sở Giáo dục"),
        ]
    ):
        unit = await add_agency(code, name, top, f"/{top}/")
        case = await add_case(
            f"TT-{code}",
            unit,
            announced_on=D(2026, 1, 5),
            onsite_ended_on=D(2026, 2, 1),
            concluded_on=D(2026, 3, 2),
            status="concluded",
        )
        measure = await add_measure(case, "recover_money", amount_vnd=100_000_000 * (n + 1))
        await add_execution(measure, D(2026, 3, 5), amount_vnd=10_000_000 * (n + 1))
        head = await _head(unit, f"head-{code.lower()}")
        units[code] = {"id": unit, "measure": measure, "head": head}
    yield {"id": top, "head": await _head(top, "head-ttt"), "units": units, "day": day}
    await close_pools()


async def _signed(head: Principal, agency_id: int, source: str = "live") -> reports.Report:
    report = await reports.request_report(head, agency_id, Q1, source=source)
    assert await report_runner.generate_report(report.id) == "done"
    return await reports.sign_off(head, report.id)


async def _figures(head: Principal, source: str) -> dict[str, Any]:
    report = await reports.request_report(head, head.agency_id, Q1, source=source)
    assert await report_runner.generate_report(report.id) == "done"
    return msgspec.to_builtins((await reports.get_report(head, report.id)).totals)


def _tables(figures: dict[str, Any]) -> dict[str, Any]:
    """What a report says in its tables: totals, last year, every unit's row."""
    return {
        "total": {t: figures[t] for t in TABLES},
        "previous": {t: figures["previous"][t] for t in TABLES},
        "rows": [
            (row["agency_id"], {t: row[t] for t in TABLES}, row["previous"])
            for row in figures["rows"]
        ],
    }


async def test_three_of_four_submit_one_late_and_the_consolidation_agrees(
    province: dict[str, Any],
) -> None:
    units, day = province["units"], province["day"]
    for code in ("SXD", "STC"):  # on 18/03, before the due day
        report = await _signed(units[code]["head"], units[code]["id"])
        done = await submissions.submit(units[code]["head"], report.id)
        assert (done.status, done.due_on, done.submitted_on) == (
            "submitted",
            D(2026, 3, 20),
            D(2026, 3, 18),
        )
    day["today"] = D(2026, 3, 23)  # three days after the due day
    late = await _signed(units["SYT"]["head"], units["SYT"]["id"])
    await submissions.submit(units["SYT"]["head"], late.id)

    board = await submissions.tracker(province["head"], None, _q1())
    assert (board.submitted, len(board.rows), board.late) == (3, 4, 2)
    states = {row.agency_name: row.standing.state for row in board.rows}
    assert states == {
        "Sở Xây dựng": "on_time",
        "Sở Tài chính": "on_time",
        "Sở Y tế": "late",
        "Sở Giáo dục": "overdue",
    }
    # The province's heads were told of each submission.
    told = await Notification.count().where(
        (Notification.user == province["head"].id) & (Notification.kind == "submission")
    )
    assert told == 3

    live = await _figures(province["head"], "live")
    submitted = await _figures(province["head"], "submitted")
    assert _tables(submitted) == _tables(live)
    assert (submitted["source"], submitted["submitted_units"], submitted["units"]) == (
        "submitted",
        3,
        4,
    )
    sources = {row["name"]: row.get("source") for row in submitted["rows"] if not row["own"]}
    assert sources["Sở Giáo dục"] == "live" and sources["Sở Y tế"] == "submitted"
    figures = msgspec.convert(submitted, ReportFigures)
    labels = [row.label for row in table_views(figures)[0].unit_rows]
    assert "Sở Giáo dục (*)" in labels and "Sở Y tế" in labels
    assert "source" not in live  # a report from the records says nothing of sources

    # A payment recorded afterwards moves the records, not what was submitted.
    await add_execution(units["SXD"]["measure"], D(2026, 3, 10), amount_vnd=5_000_000)
    again_live = await _figures(province["head"], "live")
    again_submitted = await _figures(province["head"], "submitted")
    assert _tables(again_submitted) == _tables(submitted)
    moved = again_live["implementation"]["recovered_vnd"] - live["implementation"]["recovered_vnd"]
    assert moved == 5_000_000


def _q1() -> Any:
    from inspect_app.domain.periods import parse_period

    return parse_period(Q1)


async def test_a_returned_report_counts_as_missing_until_submitted_again(
    province: dict[str, Any],
) -> None:
    unit = province["units"]["STC"]
    report = await _signed(unit["head"], unit["id"])
    sent = await submissions.submit(unit["head"], report.id)
    with pytest.raises(Conflict) as twice:
        await submissions.submit(unit["head"], report.id)
    assert twice.value.code == "already_submitted"
    # The unit's own head cannot return it: the province above must.
    with pytest.raises(Forbidden):
        await submissions.return_submission(unit["head"], sent.id, "Sai số liệu")
    with pytest.raises(InvalidInput) as empty:
        await submissions.return_submission(province["head"], sent.id, "  ")
    assert set(empty.value.errors) == {"reason"}
    with pytest.raises(InvalidInput):
        await submissions.return_submission(province["head"], sent.id, "Sai\x00số liệu")
    with pytest.raises(Conflict):
        await submissions.return_submission(province["head"], sent.id, "Cũ", version=0)
    returned = await submissions.return_submission(
        province["head"], sent.id, "Biểu 03 thiếu số đã thu hồi.", version=sent.version
    )
    assert (returned.status, returned.return_reason) == (
        "returned",
        "Biểu 03 thiếu số đã thu hồi.",
    )
    board = await submissions.tracker(province["head"], None, _q1())
    row = next(r for r in board.rows if r.agency_id == unit["id"])
    assert board.submitted == 0 and row.returned and row.standing.state == "waiting"
    told = await Notification.select(Notification.title).where(
        (Notification.user == unit["head"].id) & (Notification.kind == "returned")
    )
    assert len(told) == 1 and "Biểu 03 thiếu số đã thu hồi." in told[0]["title"]
    # Submitted again (a new revision), on the same row, on time.
    fixed = await _signed(unit["head"], unit["id"])
    again = await submissions.submit(unit["head"], fixed.id)
    assert (again.id, again.report_id, again.status) == (
        sent.id,
        fixed.id,
        "submitted",
    )
    assert await ReportSubmission.count() == 1
    assert (await submissions.tracker(province["head"], None, _q1())).submitted == 1


async def test_only_signed_reports_of_agencies_with_a_parent_go_up(
    province: dict[str, Any],
) -> None:
    unit = province["units"]["SXD"]
    draft = await reports.request_report(unit["head"], unit["id"], Q1)
    assert await report_runner.generate_report(draft.id) == "done"
    with pytest.raises(Conflict) as unsigned:
        await submissions.submit(unit["head"], draft.id)
    assert unsigned.value.code == "not_signed"
    # The province cannot submit, to itself, the report it is waiting for.
    signed = await _signed(unit["head"], unit["id"])
    with pytest.raises(Forbidden):
        await submissions.submit(province["head"], signed.id)
    top = await _signed(province["head"], province["id"])
    with pytest.raises(Conflict) as nobody:
        await submissions.submit(province["head"], top.id)
    assert nobody.value.code == "no_parent"
    # Another department's head sees neither the report nor the tracker of the province.
    other = province["units"]["STC"]["head"]
    with pytest.raises(NotFound):
        await submissions.submit(other, draft.id)
    with pytest.raises(NotFound):
        await submissions.tracker(other, province["id"], _q1())


async def test_a_second_first_submission_is_a_conflict_not_an_error(
    province: dict[str, Any],
) -> None:
    unit = province["units"]["SXD"]
    report = await _signed(unit["head"], unit["id"])
    row = dict(
        agency=unit["id"],
        parent=province["id"],
        period=Q1,
        report=report.id,
        due_on=D(2026, 3, 20),
        submitted_on=D(2026, 3, 18),
    )
    # Two requests that both found no submission: the UNIQUE index lets one insert.
    await submissions._insert_once(ReportSubmission(**row))
    with pytest.raises(Conflict) as second:
        await submissions._insert_once(ReportSubmission(**row))
    assert second.value.code == "already_submitted"
    assert await ReportSubmission.count() == 1


async def test_the_report_ladder_reminds_the_units_and_escalates_to_the_province(
    province: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    units = province["units"]
    # Written a few rows a statement, as a national due day's thousands are.
    monkeypatch.setattr(submissions, "NOTICES_PER_STATEMENT", 3)
    # Five days before the due day (15/03): every unit's head is reminded.
    await watch_deadlines(None, "2026-03-15")
    reminded = {
        row["user"]
        for row in await Notification.select(Notification.user).where(
            Notification.entity_type == "report_due"
        )
    }
    assert reminded == {unit["head"].id for unit in units.values()}
    assert await Notification.count().where(Notification.entity_type == "report_due") == 4
    again = await watch_deadlines(None, "2026-03-15")
    assert again["created"] == 0
    report = await _signed(units["SXD"]["head"], units["SXD"]["id"])
    await submissions.submit(units["SXD"]["head"], report.id)
    # The day after the due day: overdue to the three that have not submitted; a week
    # after: escalated to the province's head, once per unit, however often it runs.
    await watch_deadlines(None, "2026-03-21")
    overdue = await Notification.select(Notification.user).where(
        (Notification.entity_type == "report_due") & (Notification.kind == "overdue")
    )
    assert {row["user"] for row in overdue} == {units[c]["head"].id for c in ("STC", "SYT", "SGD")}
    for _ in range(2):
        await watch_deadlines(None, "2026-03-27")
    escalated = await Notification.select(Notification.entity_id).where(
        (Notification.user == province["head"].id) & (Notification.kind == "escalation")
    )
    assert sorted(row["entity_id"] for row in escalated) == sorted(
        units[c]["id"] for c in ("STC", "SYT", "SGD")
    )


async def _sign_in_page(client: Any, head: Principal) -> str:
    client.cookies.clear()
    await client.get("/login")
    token = client.cookies.get("csrftoken") or ""
    response = await client.post(
        "/login",
        data={"username": head.username, "password": PASSWORD, "_csrf_token": token},
    )
    assert response.status_code == 200 and "/login" not in str(response.url), response.text[-3000:]
    return client.cookies.get("csrftoken") or token


async def test_the_pages_submit_track_and_return_a_report(
    province: dict[str, Any], client: Any
) -> None:
    unit = province["units"]["SYT"]
    report = await _signed(unit["head"], unit["id"])
    csrf = await _sign_in_page(client, unit["head"])
    page = (await client.get(f"/reports/{report.id}")).text
    assert 'data-testid="submit-report"' in page and "20/03/2026" in page
    sent = await client.post(
        f"/reports/{report.id}/submit", data={"_csrf_token": csrf}, follow_redirects=True
    )
    assert sent.status_code == 200
    assert "Thanh tra tỉnh" in sent.text and 'data-testid="submit-report"' not in sent.text
    assert "18/03/2026" in sent.text

    csrf = await _sign_in_page(client, province["head"])
    tracker = (await client.get("/reports/tracker?period=2026-Q1")).text
    assert "<strong>1/4</strong>" in tracker
    assert f'data-unit="{unit["id"]}" data-state="on_time"' in tracker
    submission = await ReportSubmission.select().first()
    assert submission is not None
    action = f"/reports/submissions/{submission['id']}/return"
    empty = await client.post(action, data={"_csrf_token": csrf, "reason": " ", "version": "1"})
    assert empty.status_code == 422 and 'id="e-reason"' in empty.text
    returned = await client.post(
        action,
        data={"_csrf_token": csrf, "reason": "Thiếu biểu 03", "version": "1"},
        follow_redirects=True,
    )
    assert returned.status_code == 200 and "<strong>0/4</strong>" in returned.text
    assert "Thiếu biểu 03" in returned.text
    # A period that is not on the list is refused beside nothing, the running one shown.
    odd = await client.get("/reports/tracker?period=2026-Q9")
    assert odd.status_code == 422


async def test_the_due_days_are_a_setting_of_the_report_ladder(province: dict[str, Any]) -> None:
    from inspect_app.forms.admin import ladder_change
    from inspect_app.services import ladder_settings

    admin = Principal(
        1, "quan-tri", "Quản trị", "admin", province["id"], province["head"].agency_path
    )
    settings = await ladder_settings.ladder_settings()
    ladder = next(setting for setting in settings if setting.deadline_type == "report")
    assert ladder.due_days is not None
    assert (ladder.due_days["Q"], ladder.due_days["Y"]) == (6, 6)  # the legal default, shown
    form = {"remind_days": "5, 1", "overdue_after_days": "1", "escalate_after_days": "7"}
    change, unread = ladder_change(
        {
            **form,
            "due_Q": "2",
            "due_6M": "6",
            "due_9M": "6",
            "due_Y": "0",
            "active": "on",
            "version": str(ladder.version),
        },
        "report",
    )
    await ladder_settings.update_ladder(admin, "report", change, "", unread=unread)
    assert await submissions.due_days() == {"Q": 2, "6M": 6, "9M": 6, "Y": 0}
    board = await submissions.tracker(province["head"], None, _q1())
    assert board.due_on == D(2026, 3, 16)
    # Submitted on 18/03, now two days after the quarter's due day: late.
    unit = province["units"]["SXD"]
    report = await _signed(unit["head"], unit["id"])
    sent = await submissions.submit(unit["head"], report.id)
    assert sent.due_on == D(2026, 3, 16)
    board = await submissions.tracker(province["head"], None, _q1())
    assert next(r for r in board.rows if r.agency_id == unit["id"]).standing.state == "late"


async def test_a_submitted_report_whose_figures_cannot_be_read_fails_the_consolidation(
    province: dict[str, Any],
) -> None:
    # What a unit signed is what the province adds up: figures that no longer read (a row
    # damaged by hand, say) stop the consolidated report, naming the unit, instead of being
    # replaced by the unit's records without anyone noticing.
    unit = province["units"]["SYT"]
    sent = await _signed(unit["head"], unit["id"])
    await submissions.submit(unit["head"], sent.id)
    await Report.update({Report.totals: {"inspections": {"total": 1}}}).where(Report.id == sent.id)
    report = await reports.request_report(province["head"], province["id"], Q1, source="submitted")
    assert await report_runner.generate_report(report.id) == "failed"
    failed = await reports.get_report(province["head"], report.id)
    assert failed.status == "failed" and f"agency {unit['id']}" in failed.error
    # The same report made from the records is unaffected.
    live = await reports.request_report(province["head"], province["id"], Q1)
    assert await report_runner.generate_report(live.id) == "done"
