"""Rules across records through the API and the pages: the field named, nothing stored, the
form back with every error and what was typed; and the completion date from the ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from inspect_app.schemas.cases import FindingUpdate
from inspect_app.services import findings
from models.tables import Execution, Measure
from tests.factories import (
    concluded_case,
    make_finding,
    make_inspection,
    make_measure,
    make_subject,
    make_user,
)
from tests.integration.approval_support import approve
from tests.integration.test_case_pages import sign_in

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


@pytest.fixture
async def world(people: dict[str, Any]) -> dict[str, Any]:
    # Announced 12/01/2026, concluded 10/03/2026 (tests/factories.py).
    return {**people, "case": await concluded_case(people["lead"], [await make_subject()])}


async def test_a_recommendation_missing_what_its_type_needs_is_422_naming_each_field(
    client: Any, world: dict[str, Any]
) -> None:
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/measures",
        json={"type": "recover_money"},
        headers=world["lead"].headers,
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "amount_vnd": "Nhập số tiền kiến nghị thu hồi, lớn hơn 0.",
        "description": "Nhập nội dung kiến nghị.",
        "due_on": "Nhập thời hạn thực hiện theo kết luận.",
    }
    assert await Measure.count() == 0


@pytest.mark.parametrize(("due_on", "status"), [("2026-03-09", 422), ("2026-03-10", 201)])
async def test_the_deadline_may_not_fall_before_the_conclusion(
    client: Any, world: dict[str, Any], due_on: str, status: int
) -> None:
    response = await client.post(
        f"/api/inspections/{world['case']['id']}/measures",
        json={
            "type": "recover_money",
            "amount_vnd": 1_000_000_000,
            "description": "Thu hồi tiền sử dụng đất",
            "due_on": due_on,
        },
        headers=world["lead"].headers,
    )
    assert response.status_code == status, response.text[:300]
    if status == 422:
        assert response.json()["errors"] == [
            {"field": "due_on", "message": "Phải từ 10/03/2026, ngày kết luận, trở đi."}
        ]
        assert await Measure.count() == 0


async def test_editing_one_field_of_an_older_record_does_not_ask_for_the_rest(
    client: Any, world: dict[str, Any]
) -> None:
    measure = await make_measure(world["lead"], world["case"])
    await Measure.update({Measure.description: ""}).where(Measure.id == measure["id"])
    response = await client.patch(
        f"/api/measures/{measure['id']}",
        json={"version": 1, "responsible": "UBND huyện Kim Bảng"},
        headers=world["lead"].headers,
    )
    assert response.status_code == 200, response.text[:300]
    cleared = await client.patch(
        f"/api/measures/{measure['id']}",
        json={"version": 2, "amount_vnd": 0},
        headers=world["lead"].headers,
    )
    assert cleared.status_code == 422
    assert [e["field"] for e in cleared.json()["errors"]] == ["amount_vnd"]


@pytest.mark.parametrize(
    ("on", "status"),
    [("1990-01-01", 422), ("2026-01-11", 422), ("2026-01-12", 201), ("2026-03-01", 201)],
)
async def test_an_execution_is_dated_from_the_announcement(
    client: Any, world: dict[str, Any], on: str, status: int
) -> None:
    measure = await make_measure(world["lead"], world["case"])
    response = await client.post(
        f"/api/measures/{measure['id']}/executions",
        json={"date": on, "amount_vnd": 10_000_000},
        headers=world["lead"].headers,
    )
    assert response.status_code == status, response.text[:300]
    if status == 422:
        assert response.json()["errors"] == [
            {
                "field": "date",
                "message": "Phải từ 12/01/2026, ngày công bố quyết định thanh tra, trở đi.",
            }
        ]
        assert await Execution.count() == 0


async def test_no_execution_on_a_case_not_yet_announced(client: Any, world: dict[str, Any]) -> None:
    draft = await make_inspection(world["lead"], [await make_subject("Công ty B", "0101234599")])
    measure = await make_measure(world["lead"], draft)
    response = await client.post(
        f"/api/measures/{measure['id']}/executions",
        json={"date": "2026-03-01", "amount_vnd": 10_000_000},
        headers=world["lead"].headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date"


async def test_the_completion_date_is_when_the_ledger_in_date_order_reached_the_target(
    client: Any, world: dict[str, Any]
) -> None:
    measure = await make_measure(world["lead"], world["case"], amount_vnd=100_000_000)
    path = f"/api/measures/{measure['id']}/executions"
    # 60 triệu dated 20/07 entered first, then 40 triệu dated 10/02.
    for on, amount in (("2026-07-20", 60_000_000), ("2026-02-10", 40_000_000)):
        response = await client.post(
            path, json={"date": on, "amount_vnd": amount}, headers=world["lead"].headers
        )
        assert response.status_code == 201, response.text[:300]
    [stored] = await Measure.select(Measure.status, Measure.completed_on).where(
        Measure.id == measure["id"]
    )
    assert stored == {"status": "done", "completed_on": date(2026, 7, 20)}


async def test_the_form_comes_back_with_every_error_and_what_was_typed(
    client: Any, world: dict[str, Any]
) -> None:
    csrf = await sign_in(client, world["lead"])
    response = await client.post(
        f"/inspections/{world['case']['id']}/measures",
        data={
            "_csrf_token": csrf,
            "type": "recover_money",
            "amount_vnd": "",
            "description": "",
            "responsible": "UBND huyện Kim Bảng",
            "due_on": "09/03/2026",
        },
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="e-amount_vnd">Nhập số tiền kiến nghị thu hồi, lớn hơn 0.</p>' in page
    assert 'id="e-description">Nhập nội dung kiến nghị.</p>' in page
    assert 'id="e-due_on">Phải từ 10/03/2026, ngày kết luận, trở đi.</p>' in page
    assert 'value="UBND huyện Kim Bảng"' in page and 'value="09/03/2026"' in page
    assert await Measure.count() == 0


async def test_what_the_form_cannot_read_is_named_with_what_the_recommendation_lacks(
    client: Any, world: dict[str, Any]
) -> None:
    # The amount and the deadline cannot be read; the description is missing (a rule of the
    # recommendation, checked by the service): all three come back in one answer.
    csrf = await sign_in(client, world["lead"])
    form = {
        "_csrf_token": csrf,
        "type": "recover_money",
        "amount_vnd": "mười triệu",
        "description": "",
        "collectives": "ba",
        "due_on": "31/02/2026",
    }
    response = await client.post(f"/inspections/{world['case']['id']}/measures", data=form)
    assert response.status_code == 422
    page = response.text
    assert 'id="e-amount_vnd">Nhập một số nguyên.</p>' in page
    assert 'id="e-collectives">Nhập một số nguyên.</p>' in page
    assert 'id="e-due_on">Nhập ngày theo dạng dd/mm/yyyy.</p>' in page
    assert 'id="e-description">Nhập nội dung kiến nghị.</p>' in page
    assert 'value="mười triệu"' in page and 'value="31/02/2026"' in page
    assert await Measure.count() == 0

    # Read, the same form is recorded; an edit whose version is missing changes nothing.
    form.update(amount_vnd="10.000.000", description="Thu hồi", collectives="", due_on="")
    form["due_on"] = "30/06/2026"
    saved = await client.post(f"/inspections/{world['case']['id']}/measures", data=form)
    assert saved.status_code == 200 and await Measure.count() == 1
    stored = await Measure.select(Measure.id, Measure.amount_vnd, Measure.due_on).first()
    assert (stored["amount_vnd"], stored["due_on"]) == (10_000_000, date(2026, 6, 30))
    edit = await client.post(
        f"/measures/{stored['id']}/edit", data={**form, "amount_vnd": "20.000.000"}
    )
    assert edit.status_code == 422
    assert (await Measure.select(Measure.amount_vnd).first())["amount_vnd"] == 10_000_000


async def test_a_stale_finding_form_shows_what_changed_before_what_it_cannot_read(
    client: Any, world: dict[str, Any]
) -> None:
    # The version is checked before the fields are read: an out-of-date form with a typo
    # gets the page of what changed meanwhile (409), not its typo (422).
    finding = await make_finding(world["lead"], world["case"])
    await findings.update_finding(
        world["lead"].principal,
        finding["id"],
        FindingUpdate(version=finding["version"], description="Đã sửa bởi đồng nghiệp"),
    )
    csrf = await sign_in(client, world["lead"])
    form = {
        "_csrf_token": csrf,
        "version": str(finding["version"]),
        "subject_id": str(finding["subject_id"]),
        "category": "other",
        "description": "Sử dụng đất sai mục đích",
        "legal_basis": "",
        "amount_vnd": "năm trăm triệu",
        "land_m2": "",
    }
    stale = await client.post(f"/findings/{finding['id']}/edit", data=form)
    assert stale.status_code == 409 and 'data-testid="stale-edit"' in stale.text
    # With the version read, the same typo comes back beside its field, nothing changed.
    form["version"] = str(finding["version"] + 1)
    typo = await client.post(f"/findings/{finding['id']}/edit", data=form)
    assert typo.status_code == 422
    assert 'id="e-amount_vnd">Nhập một số nguyên.</p>' in typo.text
    stored = await findings.get_finding(world["lead"].principal, finding["id"])
    assert (stored.description, stored.amount_vnd) == ("Đã sửa bởi đồng nghiệp", 500_000_000)


async def test_money_recovered_before_the_conclusion_is_shown_as_recovered_during_it(
    client: Any, world: dict[str, Any]
) -> None:
    measure = await make_measure(world["lead"], world["case"], amount_vnd=100_000_000)
    path = f"/api/measures/{measure['id']}/executions"
    for on in ("2026-03-09", "2026-03-10"):  # the day before the conclusion, and its day
        response = await client.post(
            path, json={"date": on, "amount_vnd": 1_000_000}, headers=world["lead"].headers
        )
        assert response.status_code == 201
    listed = (await client.get(path, headers=world["lead"].headers)).json()["items"]
    assert [(e["date"], e["during_inspection"]) for e in listed] == [
        ("2026-03-09", True),
        ("2026-03-10", False),
    ]
    await sign_in(client, world["lead"])
    page = (await client.get(f"/measures/{measure['id']}")).text
    assert page.count('data-testid="during-inspection"') == 1
    assert "Thu hồi trong quá trình thanh tra" in page


async def test_the_finding_choice_reads_as_the_finding_and_money_done_as_recovered(
    client: Any, world: dict[str, Any]
) -> None:
    from tests.factories import make_finding

    finding = await make_finding(world["lead"], world["case"])
    measure = await make_measure(world["lead"], world["case"])
    await sign_in(client, world["lead"])
    form = (await client.get(f"/inspections/{world['case']['id']}/measures/new")).text
    option = form[form.index(f'<option value="{finding["id"]}"') :]
    option = option[: option.index("</option>")]
    assert f"#{finding['id']}" not in option
    assert finding["description"][:20] in option
    page = (await client.get(f"/measures/{measure['id']}")).text
    assert '<th class="num">Đã thu hồi</th>' in page


async def test_the_recommendation_page_shows_its_own_edits_in_words(
    client: Any, world: dict[str, Any]
) -> None:
    measure = await make_measure(world["lead"], world["case"], amount_vnd=1_000_000_000)
    response = await client.patch(
        f"/api/measures/{measure['id']}",
        json={"version": 1, "amount_vnd": 900_000_000, "reason": "Kết luận đính chính số liệu"},
        headers=world["lead"].headers,
    )
    # Reducing what is owed waits for a second person.
    assert response.status_code == 202, response.text[:300]
    head = await make_user(world["tree"]["P"], "head", name="Trần Thị Duyệt")
    await approve(client, head, response.json()["pending_approval"]["id"])
    await sign_in(client, world["lead"])
    page = (await client.get(f"/measures/{measure['id']}")).text
    history = page[page.index('class="card history"') :]
    assert "1.000.000.000" in history and "900.000.000" in history
    assert "<del>" in history and "<ins>" in history
    # Both names and the reason are on the record.
    assert world["lead"].principal.full_name in history and "Trần Thị Duyệt" in history
    assert "Kết luận đính chính số liệu" in history


async def test_recovering_more_than_the_linked_finding_needs_a_stated_reason(
    client: Any, world: dict[str, Any]
) -> None:
    from tests.factories import make_finding

    finding = await make_finding(world["lead"], world["case"], amount_vnd=1_250_000_000)
    path = f"/api/inspections/{world['case']['id']}/measures"
    body = {
        "type": "recover_money",
        "finding_id": finding["id"],
        "description": "Thu hồi về ngân sách nhà nước",
        "due_on": "2026-06-30",
    }
    headers = world["lead"].headers
    at_finding = await client.post(
        path, json={**body, "amount_vnd": 1_000_000_000}, headers=headers
    )
    assert at_finding.status_code == 201, at_finding.text
    # With the first, 250.000.001 ₫ more is one đồng above the finding.
    refused = await client.post(path, json={**body, "amount_vnd": 250_000_001}, headers=headers)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "excess_reason"
    assert "1.250.000.001" in error["message"] and "1.250.000.000" in error["message"]
    assert len((await client.get(path, headers=headers)).json()["items"]) == 1
    exactly = await client.post(path, json={**body, "amount_vnd": 250_000_000}, headers=headers)
    assert exactly.status_code == 201, exactly.text
    reason = "Tính thêm tiền lãi chậm nộp theo Điều 13 Nghị định 126/2020/NĐ-CP"
    above = await client.post(
        path, json={**body, "amount_vnd": 9_000_000, "excess_reason": reason}, headers=headers
    )
    assert above.status_code == 201 and above.json()["excess_reason"] == reason
    await sign_in(client, world["lead"])
    page = (await client.get(f"/measures/{above.json()['id']}")).text
    assert reason in page


async def test_the_measure_form_asks_for_the_reason_beside_its_field_keeping_the_input(
    client: Any, world: dict[str, Any]
) -> None:
    from tests.factories import make_finding

    finding = await make_finding(world["lead"], world["case"], amount_vnd=1_250_000_000)
    csrf = await sign_in(client, world["lead"])
    form = {
        "_csrf_token": csrf,
        "type": "recover_money",
        "finding_id": str(finding["id"]),
        "amount_vnd": "9.000.000.000",
        "description": "",
        "due_on": "30/06/2026",
    }
    response = await client.post(f"/inspections/{world['case']['id']}/measures", data=form)
    assert response.status_code == 422
    page = response.text
    # Every problem at once, each beside its field, and what was typed kept.
    assert 'id="f-excess_reason"' in page
    assert "Kiến nghị thu hồi 9.000.000.000" in page and "1.250.000.000" in page
    assert "Nhập nội dung kiến nghị." in page
    assert 'value="9.000.000.000"' in page
    form.update(description="Thu hồi tiền sai phạm", excess_reason="Cộng tiền lãi chậm nộp")
    saved = await client.post(f"/inspections/{world['case']['id']}/measures", data=form)
    assert saved.status_code == 200 and "Cộng tiền lãi chậm nộp" in saved.text
