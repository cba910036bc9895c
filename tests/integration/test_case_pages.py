"""The case pages as a user drives them: forms, stale edits, overlap warnings, search, lists."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest

from inspect_app.schemas.cases import ExecutionCreate, MeasureCreate, PlanCreate, PlanUpdate
from inspect_app.security import hash_password
from inspect_app.services import executions, inspections, measures, plans
from models.tables import AppUser, Inspection
from tests.factories import (
    Actor,
    concluded_case,
    event,
    make_finding,
    make_inspection,
    make_measure,
    make_subject,
    make_tree,
    make_user,
)

PASSWORD = "Trang-ho-so-1"


async def sign_in(client: httpx.AsyncClient, actor: Actor) -> str:
    """Sign in through the login page as ``actor``; returns the CSRF token for forms."""
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == actor.id
    )
    client.cookies.clear()
    await client.get("/login")
    token = client.cookies.get("csrftoken") or ""
    response = await client.post(
        "/login",
        data={"username": actor.principal.username, "password": PASSWORD, "_csrf_token": token},
    )
    assert response.status_code == 200 and "/login" not in str(response.url), response.text[:500]
    return client.cookies.get("csrftoken") or token


def error_beside(html: str, field: str) -> str:
    """The text of the error shown under a form field (id ``e-<field>``), or ""."""
    match = re.search(rf'<p class="error" id="e-{re.escape(field)}">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def input_value(html: str, field: str) -> str | None:
    """The value kept in the text input ``f-<field>``."""
    match = re.search(rf'<input id="f-{re.escape(field)}" name="{field}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.fixture
async def world(db: str) -> dict[str, Any]:
    """Agencies P > A > A1 and B; an inspector, a lead, a head and a viewer of A."""
    tree = await make_tree()
    return {
        "tree": tree,
        "inspector": await make_user(tree["A"], "inspector", "Nguyễn Văn An"),
        "lead": await make_user(tree["A"], "lead", "Trần Thị Bình"),
        "head": await make_user(tree["A"], "head", "Lê Văn Cường"),
        "viewer": await make_user(tree["A"], "viewer", "Phạm Thị Dung"),
        "outsider": await make_user(tree["B"], "inspector", "Hoàng Văn Em"),
    }


async def test_create_form_comes_back_with_input_kept_and_errors_beside_fields(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    subject_id = await make_subject("Công ty TNHH Xây dựng Hà Nam")
    csrf = await sign_in(client, world["inspector"])
    form = {
        "_csrf_token": csrf,
        "agency_id": str(world["tree"]["A"]["id"]),
        "kind": "inspection",
        "origin": "ad_hoc",
        "origin_source": "hotline",
        "origin_ref": "",
        "title": "Thanh tra đột xuất việc san lấp mặt bằng",
        "decision_date": "31/02/2026",
        "duration_days": "45",
        "_subject_ids_sent": "1",
        "subject_ids": str(subject_id),
    }
    response = await client.post("/inspections", data=form)
    assert response.status_code == 422
    html = response.text
    assert error_beside(html, "decision_date") == "Nhập ngày theo dạng dd/mm/yyyy."
    assert input_value(html, "title") == "Thanh tra đột xuất việc san lấp mặt bằng"
    assert input_value(html, "decision_date") == "31/02/2026"
    assert 'value="hotline" selected' in html
    assert "Công ty TNHH Xây dựng Hà Nam" in html  # the chosen subject stays chosen

    # The date fixed, the next problem is named beside its own field.
    response = await client.post("/inspections", data={**form, "decision_date": "15/03/2026"})
    assert response.status_code == 422
    assert error_beside(response.text, "origin_ref") == (
        "Nhập số, ký hiệu của phản ánh, đơn hoặc văn bản chỉ đạo."
    )
    assert await Inspection.count() == 0

    response = await client.post(
        "/inspections",
        data={**form, "decision_date": "15/03/2026", "origin_ref": "ĐDN-2026/117"},
    )
    assert response.status_code == 200
    case = await Inspection.select().first()
    assert case is not None
    assert str(response.url).endswith(f"/inspections/{case['id']}")
    assert (case["origin"], case["origin_source"], case["origin_ref"]) == (
        "ad_hoc",
        "hotline",
        "ĐDN-2026/117",
    )
    assert case["decision_date"] == date(2026, 3, 15)
    assert "Đã thêm cuộc thanh tra." in response.text


async def test_stale_edit_shows_what_changed_and_reapplies_on_request(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    subject_id = await make_subject()
    case = await make_inspection(world["inspector"], [subject_id], title="Thanh tra ngân sách xã")
    csrf = await sign_in(client, world["inspector"])
    edit = await client.get(f"/inspections/{case['id']}/edit")
    assert edit.status_code == 200
    assert 'name="version" value="1"' in edit.text

    # Meanwhile a colleague renames the case.
    await inspections.update_inspection(
        world["lead"].principal, case["id"], 1, {"title": "Thanh tra ngân sách xã Tân Lập"}
    )
    mine = {
        "_csrf_token": csrf,
        "version": "1",
        "kind": "inspection",
        "origin": "scheduled",
        "title": "Thanh tra ngân sách xã",
        "scope": "Năm 2024 và 2025",
        "decision_no": "15/QĐ-TTr",
        "decision_date": "05/01/2026",
        "duration_days": "45",
        "working_days": "false",
        "_member_user_ids_sent": "1",
        # The team as the form shows it: the inspector who registered the case is on it.
        "member_user_ids": str(world["inspector"].id),
        "_subject_ids_sent": "1",
        "subject_ids": str(subject_id),
    }
    response = await client.post(f"/inspections/{case['id']}/edit", data=mine)
    assert response.status_code == 409
    html = response.text
    assert 'data-testid="stale-edit"' in html
    assert "Thanh tra ngân sách xã Tân Lập" in html  # what the colleague saved
    assert "Năm 2024 và 2025" in html  # what I typed
    stored = await inspections.get_inspection(world["lead"].principal, case["id"])
    assert (stored.title, stored.scope, stored.version) == (
        "Thanh tra ngân sách xã Tân Lập",
        "",
        2,
    )

    # Re-applying sends my values with the version now stored.
    reapply = re.search(
        r'<form method="post" action="([^"]+)"[^>]*data-testid="reapply-form">(.*?)</form>',
        html,
        re.S,
    )
    assert reapply is not None and reapply.group(1) == f"/inspections/{case['id']}/edit"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', reapply.group(2))
    assert ("version", "2") in fields
    posted: dict[str, list[str]] = {}
    for name, value in fields:
        posted.setdefault(name, []).append(value)
    response = await client.post(reapply.group(1), data=posted)
    assert response.status_code == 200
    stored = await inspections.get_inspection(world["lead"].principal, case["id"])
    assert (stored.title, stored.scope, stored.version) == (
        "Thanh tra ngân sách xã",
        "Năm 2024 và 2025",
        3,
    )


async def test_overlap_warning_before_saving_and_a_head_goes_ahead_with_a_reason(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    subject_id = await make_subject("Công ty Cổ phần Thép Việt", tax_code="0101234567")
    first = await make_inspection(world["lead"], [subject_id], decision_date=date(2026, 2, 2))
    form = {
        "agency_id": str(world["tree"]["A1"]["id"]),
        "kind": "check",
        "origin": "ad_hoc",
        "origin_source": "complaint",
        "origin_ref": "Đơn số 45/2026",
        "title": "Kiểm tra chuyên ngành an toàn lao động",
        "decision_date": "10/03/2026",
        "duration_days": "30",
        "_subject_ids_sent": "1",
        "subject_ids": str(subject_id),
    }
    csrf = await sign_in(client, world["inspector"])
    response = await client.post("/inspections", data={**form, "_csrf_token": csrf})
    assert response.status_code == 200
    assert 'data-testid="overlap-warning"' in response.text
    assert first["code"] in response.text
    assert "0101234567" in response.text
    assert "Vẫn lưu" in response.text  # an inspector may save; no override field
    assert 'name="override_reason"' not in response.text
    assert await Inspection.count() == 1  # nothing saved before the user decides

    csrf = await sign_in(client, world["head"])
    confirmed = {**form, "_csrf_token": csrf, "overlap_confirmed": "1", "override_reason": ""}
    response = await client.post("/inspections", data=confirmed)
    assert response.status_code == 422
    assert error_beside(response.text, "override_reason") == (
        "Nêu lý do vẫn tiến hành dù có cảnh báo."
    )
    assert await Inspection.count() == 1

    reason = "Có đơn khiếu nại mới về tai nạn lao động"
    response = await client.post("/inspections", data={**confirmed, "override_reason": reason})
    assert response.status_code == 200
    second = await Inspection.select().where(Inspection.id != first["id"]).first()
    assert second is not None
    assert second["overlap_override_reason"] == reason
    assert second["overlap_override_by"] == world["head"].id
    assert second["code"].startswith("KT-")
    page = response.text
    assert 'data-testid="case-warning"' in page and reason in page


async def test_list_search_ignores_accents_and_filters_and_pages_with_counts(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    ha_nam = await make_subject("Công ty TNHH Hà Nam")
    other = await make_subject("Hợp tác xã Đông Anh")
    target = await make_inspection(world["inspector"], [ha_nam], title="Thanh tra đất đai")
    for n in range(25):
        await make_inspection(world["inspector"], [other], title=f"Thanh tra trường học số {n}")
    await event(world["inspector"], target, "announce", date(2026, 3, 2))
    await sign_in(client, world["viewer"])

    response = await client.get("/inspections", params={"q": "ha nam"})
    assert response.status_code == 200
    assert target["code"] in response.text
    assert len(re.findall(r'data-testid="case-row"', response.text)) == 1
    response = await client.get("/inspections", params={"q": "HÀ NAM"})
    assert len(re.findall(r'data-testid="case-row"', response.text)) == 1

    response = await client.get("/inspections", params={"status": "onsite"})
    assert len(re.findall(r'data-testid="case-row"', response.text)) == 1
    counts = dict(
        re.findall(r'data-status="(\w+)"[^>]*>[^<]*<strong>(\d+)</strong>', response.text)
    )
    assert (counts["draft"], counts["onsite"], counts["closed"]) == ("25", "1", "0")

    first = await client.get("/inspections")
    assert len(re.findall(r'data-testid="case-row"', first.text)) == 25
    next_link = re.search(
        r'href="(/inspections\?[^"]*cursor=[^"]+)" data-testid="next-page"', first.text
    )
    assert next_link is not None
    second = await client.get(next_link.group(1).replace("&amp;", "&"))
    rows = re.findall(r'data-testid="case-row"', second.text)
    assert len(rows) == 1
    assert target["code"] in second.text  # the oldest case comes last
    assert 'data-testid="next-page"' not in second.text

    response = await client.get("/inspections", params={"year": "twenty"})
    assert response.status_code == 422
    assert error_beside(response.text, "year") == "Nhập năm từ 1990 đến 2100."
    response = await client.get("/inspections", params={"period": "2026-Q9"})
    assert response.status_code == 422
    assert error_beside(response.text, "period") == "Nhập kỳ báo cáo, ví dụ 2026-Q1 hoặc 2026-6M."
    response = await client.get("/inspections", params={"origin": "ad_hoc"})
    assert 'data-testid="no-cases"' in response.text


async def test_case_page_for_a_viewer_shows_everything_and_no_edit_controls(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    subject_id = await make_subject()
    case = await concluded_case(world["lead"], [subject_id])
    await make_finding(world["lead"], case)
    await measures.create_measure(
        world["lead"].principal,
        case["id"],
        MeasureCreate(
            type="recover_money",
            amount_vnd=248_500_000,
            description="Thu hồi về ngân sách",
            due_on=date(2026, 6, 30),
        ),
    )
    await sign_in(client, world["viewer"])
    response = await client.get(f"/inspections/{case['id']}")
    assert response.status_code == 200
    html = response.text
    assert "Đã kết luận" in html
    assert "248.500.000 ₫" in html
    assert 'data-testid="case-actions"' not in html
    assert "/edit" not in html and 'action="/attachments"' not in html
    assert (await client.get(f"/inspections/{case['id']}/edit")).status_code == 403
    assert (await client.get("/inspections/new")).status_code == 403


async def test_case_page_names_the_lead_the_members_and_the_timeline_authors(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    case = await make_inspection(
        world["head"],
        [await make_subject()],
        lead_user_id=world["lead"].id,
        member_user_ids=[world["inspector"].id],
    )
    await event(world["lead"], case, "announce", date(2026, 1, 12))
    await sign_in(client, world["viewer"])
    html = (await client.get(f"/inspections/{case['id']}")).text
    team = html[html.index("Trưởng đoàn") :]
    assert "Trần Thị Bình" in team  # the lead, also the author of the announcement
    assert "Nguyễn Văn An" in team  # the member
    assert "Trần Thị Bình" in html[html.index('data-testid="timeline"') :]
    assert "Hoàng Văn Em" not in html  # someone of another agency, on nothing here


async def test_event_form_errors_come_back_beside_the_fields_of_that_event(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    case = await make_inspection(world["inspector"], [await make_subject()])
    csrf = await sign_in(client, world["inspector"])
    response = await client.post(
        f"/inspections/{case['id']}/events",
        data={"_csrf_token": csrf, "type": "announce", "version": "1", "date": "32/01/2026"},
    )
    assert response.status_code == 422
    assert re.search(r'id="ee-announce-date">Nhập ngày theo dạng dd/mm/yyyy.</p>', response.text), (
        response.text[:2000]
    )
    assert 'value="32/01/2026"' in response.text
    # An inspector may announce, not conclude: only the allowed steps are offered.
    assert 'data-event="announce"' in response.text and 'data-event="conclude"' not in response.text
    response = await client.post(
        f"/inspections/{case['id']}/events",
        data={"_csrf_token": csrf, "type": "announce", "version": "1", "date": "02/03/2026"},
    )
    assert response.status_code == 200
    stored = await inspections.get_inspection(world["inspector"].principal, case["id"])
    assert stored.status == "onsite"
    assert stored.deadlines.onsite_due == date(2026, 4, 15)  # day 45, counting 2 March


async def test_an_execution_beyond_what_remains_is_refused_with_the_amount_left(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    # The inspector is on the case's team (only the team records executions).
    case = await concluded_case(
        world["lead"], [await make_subject()], member_user_ids=[world["inspector"].id]
    )
    measure = await make_measure(
        world["lead"], case, amount_vnd=248_500_000, due_on=date(2026, 6, 30)
    )
    csrf = await sign_in(client, world["inspector"])
    response = await client.post(
        f"/measures/{measure['id']}/executions",
        data={"_csrf_token": csrf, "date": "20/03/2026", "amount_vnd": "300.000.000"},
    )
    assert response.status_code == 422
    assert "Chỉ còn 248.500.000 ₫ chưa thực hiện." in response.text
    assert error_beside(response.text, "amount_vnd") == "Số liệu vượt quá phần còn phải thực hiện."
    assert input_value(response.text, "amount_vnd") == "300.000.000"

    response = await client.post(
        f"/measures/{measure['id']}/executions",
        data={"_csrf_token": csrf, "date": "20/03/2026", "amount_vnd": "100.000.000"},
    )
    assert response.status_code == 200
    stored = await measures.get_measure(world["lead"].principal, measure["id"])
    assert (stored.done_vnd, stored.remaining, stored.status) == (
        100_000_000,
        "148500000",
        "partial",
    )
    assert "148.500.000 ₫" in response.text

    # A date and an amount the form cannot read: both named at once, the input kept, and
    # nothing stored; a reversal dated "31/02" likewise.
    response = await client.post(
        f"/measures/{measure['id']}/executions",
        data={"_csrf_token": csrf, "date": "32/03/2026", "amount_vnd": "mười triệu"},
    )
    assert response.status_code == 422
    assert error_beside(response.text, "date") == "Nhập ngày theo dạng dd/mm/yyyy."
    assert error_beside(response.text, "amount_vnd") == "Nhập một số nguyên."
    assert input_value(response.text, "amount_vnd") == "mười triệu"
    listed = await executions.list_executions(world["lead"].principal, measure["id"])
    csrf = await sign_in(client, world["lead"])  # the case's lead may ask for a reversal
    response = await client.post(
        f"/measures/{measure['id']}/reversals",
        data={
            "_csrf_token": csrf,
            "execution_id": str(listed.items[0].id),
            "reversal_date": "31/02/2026",
            "reason": " ",
        },
    )
    assert response.status_code == 422
    assert error_beside(response.text, "reversal_date") == "Nhập ngày theo dạng dd/mm/yyyy."
    assert error_beside(response.text, "reason") != ""  # said at the same time
    after = await measures.get_measure(world["lead"].principal, measure["id"])
    assert (after.done_vnd, after.version) == (100_000_000, stored.version)
    assert (
        len((await executions.list_executions(world["lead"].principal, measure["id"])).items) == 1
    )


async def test_subject_page_shows_its_history_in_scope_only(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    subject_id = await make_subject("Công ty TNHH Minh Long", tax_code="0309876543")
    mine = await make_inspection(world["lead"], [subject_id], title="Thanh tra thuế Minh Long")
    theirs = await make_inspection(world["outsider"], [subject_id], title="Kiểm tra của Sở B")
    await sign_in(client, world["viewer"])
    response = await client.get(f"/subjects/{subject_id}")
    assert response.status_code == 200
    assert mine["code"] in response.text and theirs["code"] not in response.text
    # Browsing lists the subjects of one's own work; a search (accents optional) finds any.
    listed = await client.get("/subjects")
    assert "Công ty TNHH Minh Long" in listed.text
    other = await make_subject("Công ty TNHH Sông Đà")
    assert "Sông Đà" not in (await client.get("/subjects")).text
    found = await client.get("/subjects", params={"q": "song da"})
    assert f"/subjects/{other}" in found.text


async def test_subject_form_keeps_input_and_names_the_duplicate_tax_code(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    holder = await make_subject("Công ty TNHH Minh Long", tax_code="0309876543")
    csrf = await sign_in(client, world["inspector"])
    response = await client.post(
        "/subjects",
        data={
            "_csrf_token": csrf,
            "kind": "enterprise",
            "name": "Công ty Minh Long (chi nhánh)",
            "tax_code": "0309876543",
            "address": "Quận 7, TP. Hồ Chí Minh",
            "sector": "",
        },
    )
    assert response.status_code == 422
    error = error_beside(response.text, "tax_code")
    assert error.startswith("Mã số thuế này đã được đăng ký cho Công ty TNHH Minh Long.")
    assert f'<a href="/subjects/{holder}" data-testid="error-link">Mở hồ sơ</a>' in error
    assert input_value(response.text, "name") == "Công ty Minh Long (chi nhánh)"
    assert "Quận 7, TP. Hồ Chí Minh" in response.text


async def test_plan_page_counts_its_cases_and_shows_the_ad_hoc_ones_beside(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    csrf = await sign_in(client, world["lead"])
    response = await client.post(
        "/plans",
        data={
            "_csrf_token": csrf,
            "agency_id": str(world["tree"]["A"]["id"]),
            "year": "2026",
            "title": "Kế hoạch thanh tra năm 2026",
            "decision_no": "",
            "decision_date": "",
            "status": "approved",
            "note": "",
        },
    )
    assert response.status_code == 422
    assert error_beside(response.text, "decision_no") == (
        "Kế hoạch đã phê duyệt phải có số quyết định."
    )
    response = await client.post(
        "/plans",
        data={
            "_csrf_token": csrf,
            "agency_id": str(world["tree"]["A"]["id"]),
            "year": "2026",
            "title": "Kế hoạch thanh tra năm 2026",
            "decision_no": "120/QĐ-TTr",
            "decision_date": "10/12/2025",
            "status": "approved",
        },
    )
    assert response.status_code == 200
    plan_id = int(str(response.url).rstrip("/").rsplit("/", 1)[1])
    subject = await make_subject()
    planned = [
        await make_inspection(world["lead"], [subject], plan_id=plan_id, title=f"Theo kế hoạch {n}")
        for n in range(3)
    ]
    await event(world["lead"], planned[0], "announce", date(2026, 1, 12))
    await event(world["lead"], planned[1], "announce", date(2026, 1, 12))
    await event(world["lead"], planned[1], "end_onsite", date(2026, 2, 20))
    await event(world["lead"], planned[1], "conclude", date(2026, 3, 10), conclusion_no="9/KL")
    ad_hoc = await make_inspection(
        world["lead"],
        [subject],
        origin="ad_hoc",
        origin_source="hotline",
        origin_ref="ĐDN-5",
        title="Đột xuất theo tin báo",
    )
    response = await client.get(f"/plans/{plan_id}")
    assert response.status_code == 200
    stats = re.findall(r'<span class="stat__value">(\d+)</span>', response.text)
    assert stats[:4] == ["3", "2", "1", "0"]
    planned_html = response.text.split('data-testid="planned-cases"')[1].split("</section>")[0]
    ad_hoc_html = response.text.split('data-testid="ad-hoc-cases"')[1].split("</section>")[0]
    assert all(case["code"] in planned_html for case in planned)
    assert ad_hoc["code"] in ad_hoc_html and ad_hoc["code"] not in planned_html


async def test_a_stale_plan_form_shows_what_changed_before_what_it_cannot_read(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    plan = await plans.create_plan(
        world["lead"].principal, PlanCreate(year=2027, agency_id=world["tree"]["A"]["id"])
    )
    await plans.update_plan(world["lead"].principal, plan.id, PlanUpdate(version=1, title="Mới"))
    csrf = await sign_in(client, world["lead"])
    form = {"_csrf_token": csrf, "version": "1", "year": "năm sau", "title": "Của tôi"}
    stale = await client.post(f"/plans/{plan.id}/edit", data=form)
    assert stale.status_code == 409 and 'data-testid="stale-edit"' in stale.text
    typo = await client.post(f"/plans/{plan.id}/edit", data={**form, "version": "2"})
    assert typo.status_code == 422
    assert error_beside(typo.text, "year") == "Nhập năm từ 1990 đến 2100."
    assert input_value(typo.text, "year") == "năm sau"
    stored = await plans.get_plan(world["lead"].principal, plan.id)
    assert (stored.title, stored.version) == ("Mới", 2)


async def test_case_history_reads_in_words_for_the_lead(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    subject_id = await make_subject()
    case = await make_inspection(world["lead"], [subject_id], title="Thanh tra ngân sách xã")
    await inspections.update_inspection(
        world["lead"].principal, case["id"], 1, {"decision_date": date(2026, 3, 2)}
    )
    await event(world["lead"], case, "announce", date(2026, 3, 9))
    await sign_in(client, world["lead"])

    page = await client.get(f"/inspections/{case['id']}")

    assert page.status_code == 200
    history = page.text[page.text.index('data-testid="history"') :]
    actions = re.findall(r'data-testid="history-action">([^<]*)<', history)
    assert actions == ["Công bố quyết định", "Sửa", "Thêm mới"]
    assert '<span class="changes__field">Ngày quyết định</span>' in history
    assert "<ins>02/03/2026</ins>" in history
    assert '<span class="changes__field">Kết thúc thanh tra trực tiếp</span>' in history
    for raw in ("event.announce", "decision_date", "deadlines", "search_text", "updated_at"):
        assert raw not in history


async def test_pages_follow_the_reader_s_language_in_macros_labels_and_counts(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    lead = world["lead"]
    case = await make_inspection(lead, [await make_subject("Công ty Cổ phần Ninh Bình")])
    await event(lead, case, "announce", date(2026, 3, 2))
    await event(lead, case, "extend", date(2026, 3, 10), decision_no="9/QĐ-TTr", days=1)
    await sign_in(client, lead)

    # The list's filter error is drawn by a macro of macros/forms.html.
    vi_list = (await client.get("/inspections", params={"year": "1800"})).text
    assert error_beside(vi_list, "year") == "Nhập kỳ báo cáo, ví dụ 2026-Q1 hoặc 2026-6M."
    vi_case = (await client.get(f"/inspections/{case['id']}")).text
    assert "gia hạn thêm 1 ngày" in vi_case and "Gia hạn" in vi_case

    await client.get("/lang/en", headers={"referer": "http://testserver.local/"})
    en_list = (await client.get("/inspections", params={"year": "1800"})).text
    assert error_beside(en_list, "year") == "Enter a period such as 2026-Q1 or 2026-6M."
    en_case = (await client.get(f"/inspections/{case['id']}")).text
    assert "1 day added" in en_case and "1 days added" not in en_case
    assert "Extend" in en_case and "Gia hạn" not in en_case
    assert "On-site inspection" in en_case  # the status label, from the catalogue


async def test_the_measure_page_has_one_upload_form_for_the_measure_and_its_executions(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    from models.tables import Attachment

    case = await concluded_case(world["lead"], [await make_subject()])
    measure = await make_measure(
        world["lead"], case, amount_vnd=100_000_000, due_on=date(2026, 6, 30)
    )
    for day in (1, 2):
        await executions.create_execution(
            world["lead"].principal,
            measure["id"],
            ExecutionCreate(date=date(2026, 4, day), amount_vnd=10_000_000),
        )
    csrf = await sign_in(client, world["lead"])
    page = (await client.get(f"/measures/{measure['id']}")).text
    assert page.count('action="/attachments"') == 1
    # The file input speaks the page's language, not the browser's "Choose File".
    assert "Chọn tệp" in page and "Chưa chọn tệp" in page
    listed = await executions.list_executions(world["lead"].principal, measure["id"])
    second = listed.items[1].id
    assert f'value="execution:{second}"' in page
    response = await client.post(
        "/attachments",
        data={"_csrf_token": csrf, "target": f"execution:{second}"},
        files={"file": ("phieu-thu.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert response.status_code == 200, response.text[:300]
    stored = await Attachment.select(Attachment.entity_type, Attachment.entity_id).first()
    assert stored == {"entity_type": "execution", "entity_id": second}


async def test_an_upload_form_names_an_unreadable_record_with_the_file_problem(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    from models.tables import Attachment

    case = await concluded_case(world["lead"], [await make_subject()])
    csrf = await sign_in(client, world["lead"])
    refused = await client.post(
        "/attachments",
        data={"_csrf_token": csrf, "entity_type": "inspection", "entity_id": f"{case['id']}x"},
        files={"file": ("ghi-chu.txt", b"plain text", "text/plain")},
    )
    assert refused.status_code == 422
    assert 'id="e-entity_id"' in refused.text and 'id="e-file"' in refused.text
    assert "Chọn trong danh sách." in refused.text
    assert await Attachment.count() == 0
    # Past 2^31: the same answer, never a database error.
    too_big = await client.post(
        "/attachments",
        data={"_csrf_token": csrf, "target": "finding:2147483648"},
        files={"file": ("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert too_big.status_code == 422 and 'id="e-entity_id"' in too_big.text
