"""The follow-up board: open deadlines in scope, soonest first, filters, exports (audited)."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from openpyxl import load_workbook

from models.tables import AuditEvent, Inspection, Measure
from tests.integration.jobs_support import bearer, build_jobs_world, make_user, sign_in


def _today(monkeypatch: Any, day: date) -> None:
    import inspect_app.controllers.follow_ups as controller

    monkeypatch.setattr(controller, "today", lambda: day)


async def _extra_case(world: Any) -> int:
    """An on-site case of the province itself, due 01/04/2026."""
    case = Inspection(
        code="TT-03/2026",
        agency=world.province,
        title="Thanh tra đột xuất",
        status="onsite",
        announced_on=date(2026, 2, 15),
        onsite_due=date(2026, 4, 1),
    )
    await case.save()
    return int(case.id)


async def test_api_lists_open_deadlines_soonest_first_with_filters(
    db: str, client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    extra = await _extra_case(w)
    _today(monkeypatch, date(2026, 3, 21))
    headers = await bearer(w.head)

    body = (await client.get("/api/follow-ups", headers=headers)).json()
    assert [(i["entity_type"], i["deadline_type"], i["due_on"]) for i in body["items"]] == [
        ("inspection", "conclusion", "2026-03-20"),
        ("measure", "measure", "2026-03-20"),
        ("inspection", "onsite", "2026-04-01"),
    ]
    first = body["items"][0]
    assert first["state"] == "overdue" and first["days_left"] == -1
    assert first["responsible"] == "Phòng Nghiệp vụ 1"
    assert body["items"][1]["responsible"] == "Sở Tài chính"
    assert body["items"][2]["state"] == "open" and body["items"][2]["inspection_id"] == extra
    assert body["next_cursor"] is None

    overdue = (await client.get("/api/follow-ups?state=overdue", headers=headers)).json()
    assert len(overdue["items"]) == 2
    finance = (await client.get("/api/follow-ups?responsible=tài chính", headers=headers)).json()
    assert [i["entity_type"] for i in finance["items"]] == ["measure"]
    own = (
        await client.get(
            f"/api/follow-ups?agency_id={w.province}&include_sub=false", headers=headers
        )
    ).json()
    assert [i["inspection_code"] for i in own["items"]] == ["TT-03/2026"]

    _today(monkeypatch, date(2026, 3, 28))
    soon = (await client.get("/api/follow-ups?state=due_soon", headers=headers)).json()
    assert [i["deadline_type"] for i in soon["items"]] == ["onsite"]

    paged = (await client.get("/api/follow-ups?limit=2", headers=headers)).json()
    rest = (
        await client.get(f"/api/follow-ups?limit=2&cursor={paged['next_cursor']}", headers=headers)
    ).json()
    assert len(paged["items"]) == 2 and [i["deadline_type"] for i in rest["items"]] == ["onsite"]


async def test_bad_filters_are_422_naming_the_field_and_scope_is_enforced(
    db: str, client: Any
) -> None:
    w = await build_jobs_world()
    headers = await bearer(w.head)
    bad = await client.get("/api/follow-ups?state=late", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "state", "message": "Chọn due_soon, overdue hoặc open."}
    ]
    # A lead of the finance department sees nothing of the division's cases, and may not
    # look at the division at all.
    finance_head = await make_user("gd_stc", "head", w.finance)
    other = await bearer(finance_head)
    assert (await client.get("/api/follow-ups", headers=other)).json()["items"] == []
    outside = await client.get(f"/api/follow-ups?agency_id={w.division}", headers=other)
    assert outside.status_code == 404
    # An agency id past 2^31 names no agency: said on the field, never asked of the database.
    for agency_id in ("2147483648", "99999999999"):
        huge = await client.get(f"/api/follow-ups?agency_id={agency_id}", headers=headers)
        assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "agency_id"
    await sign_in(client, w.head)
    page = await client.get("/follow-ups", params={"agency_id": "99999999999"})
    assert page.status_code == 422 and 'id="e-agency_id"' in page.text
    export = await client.get("/follow-ups/export.csv", params={"agency_id": "99999999999"})
    assert export.status_code == 422
    # An inspector of the division reads its deadlines, as they read its cases.
    inspector = await bearer(w.member)
    listed = (await client.get("/api/follow-ups", headers=inspector)).json()["items"]
    assert {item["inspection_id"] for item in listed} == {w.awaiting_conclusion, w.concluded}


async def test_page_groups_by_unit_and_exports_are_audited(
    db: str, client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.lead)

    page = await client.get("/follow-ups")
    assert page.status_code == 200
    assert page.text.count('data-testid="follow-up-group"') == 2
    assert "Phòng Nghiệp vụ 1" in page.text and "Sở Tài chính" in page.text

    csv_response = await client.get("/follow-ups/export.csv?state=overdue")
    assert csv_response.status_code == 200
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Đơn vị chịu trách nhiệm,Cuộc thanh tra,")
    assert len(lines) == 3
    assert "20/03/2026" in lines[1] and "Quá hạn" in lines[1]

    xlsx = await client.get("/follow-ups/export.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    # A summary sheet (one line per unit, then the total), then one sheet per unit.
    assert book.sheetnames == ["Tổng hợp", "Phòng Nghiệp vụ 1", "Sở Tài chính"]
    summary = list(book["Tổng hợp"].iter_rows(values_only=True))
    assert summary[0][:3] == ("Đơn vị chịu trách nhiệm", "Số thời hạn", "Quá hạn")
    assert summary[-1][:4] == ("Tổng cộng", 2, 2, 120_000_000)
    finance = list(book["Sở Tài chính"].iter_rows(values_only=True))
    assert finance[0][0] == "Đơn vị chịu trách nhiệm" and len(finance) == 2
    header = finance[0]
    left = finance[1][header.index("Tiền còn phải thu hồi (đồng)")]
    due = book["Sở Tài chính"].cell(row=2, column=header.index("Hạn") + 1)
    assert left == 120_000_000  # a number, not text
    assert due.is_date and due.number_format == "DD/MM/YYYY"

    audits = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.entity_type == "follow_up")
        .output(load_json=True)
    )
    assert [(a["action"], a["after"]["format"], a["after"]["rows"]) for a in audits] == [
        ("export", "csv", 2),
        ("export", "xlsx", 2),
    ]


async def test_admin_edits_a_ladder_and_bad_input_comes_back_beside_the_field(
    db: str, client: Any
) -> None:
    from models.tables import DeadlineLadder

    w = await build_jobs_world()
    admin = await make_user("quantri", "admin", w.province)
    csrf = await sign_in(client, admin)
    page = await client.get("/admin/ladders")
    assert page.status_code == 200 and 'data-testid="ladder-measure"' in page.text

    bad = await client.post(
        "/admin/ladders/measure",
        data={
            "_csrf_token": csrf,
            "remind_days": "7, x",
            "overdue_after_days": "3",
            "escalate_after_days": "2",
            "version": "1",
        },
    )
    assert bad.status_code == 422
    assert "Nhập các số ngày nguyên khác nhau từ 0 đến 365, ví dụ 5, 1." in bad.text
    # Every problem at once: the unreadable days and the escalation before the notice.
    assert "Báo cáo thủ trưởng không thể trước thông báo quá hạn." in bad.text
    assert 'value="7, x"' in bad.text
    # The form comes back as sent: the box left unticked, the version it was read at.
    measure_form = bad.text[bad.text.index('data-testid="ladder-measure"') :]
    measure_form = measure_form[: measure_form.index("</form>")]
    assert 'name="active" value="true" >' in measure_form
    assert 'name="version" value="1"' in measure_form
    # A version no ladder can have is a stale form, not a database error.
    huge = await client.post(
        "/admin/ladders/measure",
        data={
            "_csrf_token": csrf,
            "remind_days": "7, 3",
            "overdue_after_days": "3",
            "escalate_after_days": "7",
            "version": "99999999999",
        },
        follow_redirects=False,
    )
    assert huge.status_code in (302, 303)
    row = await DeadlineLadder.select().where(DeadlineLadder.deadline_type == "measure").first()
    assert row["version"] == 1

    saved = await client.post(
        "/admin/ladders/measure",
        data={
            "_csrf_token": csrf,
            "remind_days": "10, 3",
            "overdue_after_days": "2",
            "escalate_after_days": "14",
            "active": "true",
            "version": "1",
        },
        follow_redirects=False,
    )
    assert saved.status_code in (302, 303)
    row = (
        await DeadlineLadder.select()
        .where(DeadlineLadder.deadline_type == "measure")
        .output(load_json=True)
        .first()
    )
    assert (row["remind_days"], row["overdue_after_days"], row["escalate_after_days"]) == (
        [10, 3],
        2,
        14,
    )
    assert row["version"] == 2
    audited = await AuditEvent.count().where(AuditEvent.entity_type == "deadline_ladder")
    assert audited == 1
    # A lead may not change ladders.
    await sign_in(client, w.lead)
    assert (await client.get("/admin/ladders")).status_code == 403


async def test_a_long_group_shows_ten_deadlines_and_links_to_the_rest(
    db: str, client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    _today(monkeypatch, date(2026, 3, 21))
    for n in range(12):
        await Measure(
            inspection=w.concluded,
            type="recover_money",
            description=f"Thu hồi khoản {n + 1}",
            amount_vnd=1_000_000,
            responsible="Sở Tài chính",
            responsible_agency=w.finance,
            due_on=date(2026, 4, 10 + n),
            status="open",
        ).save()
    await sign_in(client, w.lead)

    page = await client.get("/follow-ups")
    assert page.status_code == 200
    finance = page.text[page.text.index("Sở Tài chính <span") :]
    assert finance.count('class="follow-up follow-up--') == 10
    assert '<span class="muted" data-testid="follow-up-group-count">(13, 1 ' in finance
    assert "Xem tất cả 13" in finance
    assert page.text.count('class="follow-up follow-up--') == 11
    assert "Thu hồi khoản 10" not in page.text  # the 11th deadline of the group

    whole = await client.get("/follow-ups", params={"show_all": "Sở Tài chính"})
    assert whole.text.count('class="follow-up follow-up--') == 14
    assert "Thu hồi khoản 12" in whole.text
    assert 'data-testid="follow-up-show-fewer"' in whole.text
    assert 'data-testid="follow-up-show-all"' not in whole.text

    csv_response = await client.get("/follow-ups/export.csv?show_all=x")
    assert len(csv_response.content.decode("utf-8-sig").splitlines()) == 1 + 14


async def test_the_board_counts_days_in_the_reader_s_language(
    db: str, client: Any, monkeypatch: Any
) -> None:
    w = await build_jobs_world()
    await _extra_case(w)
    _today(monkeypatch, date(2026, 3, 21))
    await sign_in(client, w.head)

    vietnamese = (await client.get("/follow-ups")).text
    assert "trễ 1 ngày" in vietnamese and "còn 11 ngày" in vietnamese
    assert 'data-testid="follow-up-group-count">(1, 1 quá hạn)<' in vietnamese

    switched = await client.get(
        "/lang/en", headers={"referer": "http://testserver.local/"}, follow_redirects=False
    )
    assert switched.status_code == 302
    english = (await client.get("/follow-ups")).text
    # One form for one day, the other for more: "1 day late", "11 days left".
    assert "1 day late" in english and "11 days left" in english
    assert re.search(r"\b1 days", english) is None and "11 day left" not in english
    assert 'data-testid="follow-up-group-count">(1, 1 overdue)<' in english


async def test_one_kind_of_deadline_on_the_api_and_a_wrong_kind_named(client: Any, db: str) -> None:
    w = await build_jobs_world()
    head = await bearer(w.head)
    items = (await client.get("/api/follow-ups?deadline_type=measure", headers=head)).json()[
        "items"
    ]
    assert [(i["entity_type"], i["entity_id"]) for i in items] == [("measure", w.measure)]
    conclusions = (
        await client.get("/api/follow-ups?deadline_type=conclusion", headers=head)
    ).json()["items"]
    assert [i["inspection_id"] for i in conclusions] == [w.awaiting_conclusion]
    wrong = await client.get("/api/follow-ups?deadline_type=measures", headers=head)
    assert wrong.status_code in (400, 422) and "deadline_type" in wrong.text


async def test_the_case_list_names_a_wrong_report_table_or_period(client: Any, db: str) -> None:
    w = await build_jobs_world()
    await sign_in(client, w.head)
    for query, message in (
        ("table=3", "Chọn một giá trị trong danh sách."),
        ("table=99999999999", "Chọn một giá trị trong danh sách."),
        ("concluded_in=2026-Q9", "2026-Q1"),
    ):
        page = await client.get(f"/inspections?{query}")
        assert page.status_code == 422, query
        assert message in page.text, query
