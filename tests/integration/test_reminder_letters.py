"""Reminder letters (công văn đôn đốc) issued from the follow-up board.

The world (tests/integration/jobs_support.py): the province inspectorate's head reminds
Sở Tài chính of two recommendations of the concluded case — the fixture's 120 triệu (nothing
paid) and 1 tỷ with 500 triệu paid. The letter takes the province's next register number,
lists both with what is left, appends "reminded" to each recommendation's history, notifies
the users of Sở Tài chính, and the board row says how often and when it was reminded.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from inspect_app.domain.formatting import format_date
from models.tables import (
    Agency,
    AppUser,
    AuditEvent,
    DocumentCounter,
    DocumentNumber,
    Measure,
    Notification,
    ReminderItem,
    ReminderLetter,
)
from tests.integration.jobs_support import build_jobs_world, run_jobs, sign_in
from tests.integration.mail_support import Inbox, subject_of

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

TODAY = date(2026, 3, 21)


def _today(monkeypatch: Any, day: date = TODAY) -> None:
    import inspect_app.controllers.follow_ups as board
    import inspect_app.controllers.reminder_pages as letters

    monkeypatch.setattr(board, "today", lambda: day)
    monkeypatch.setattr(letters, "today", lambda: day)


async def _world() -> tuple[Any, int]:
    w = await build_jobs_world()
    half_paid = Measure(
        inspection=w.concluded,
        type="recover_money",
        description="Thu hồi tiền sử dụng đất nộp thiếu",
        amount_vnd=1_000_000_000,
        done_vnd=500_000_000,
        status="partial",
        responsible_agency=w.finance,
        due_on=date(2026, 3, 10),
    )
    await half_paid.save()
    await Agency.update(
        {
            Agency.doc_symbol: "TTr",
            Agency.place_name: "Hạ Long",
            Agency.parent_body: "UBND tỉnh Quảng Ninh",
            Agency.signer_name: "Nguyễn Văn Bình",
        }
    ).where(Agency.id == w.province)
    return w, int(half_paid.id)


async def pdf_text(path: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it (reading order, one space apart)."""
    process = await asyncio.create_subprocess_exec(
        "pdftotext", "-raw", str(path), "-", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


def _form(csrf: str, ids: list[int], **fields: str) -> dict[str, Any]:
    return {
        "_csrf_token": csrf,
        "measure_id": [str(i) for i in ids],
        "issued_on": format_date(TODAY),
        "report_by": format_date(TODAY + timedelta(days=15)),
        "signing_form": "direct",
        "signer_name": "Nguyễn Văn Bình",
        **fields,
    }


async def _counts() -> tuple[int, int, int, int]:
    return (
        await ReminderLetter.count(),
        await DocumentNumber.count(),
        await AuditEvent.count().where(AuditEvent.action == "reminded"),
        await Notification.count().where(Notification.kind == "letter"),
    )


async def test_a_letter_for_two_rows_is_numbered_listed_recorded_and_notified(
    client: Any, monkeypatch: Any
) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)

    draft = await client.get(
        "/follow-ups/reminders/new", params={"measure_id": [str(w.measure), str(half_paid)]}
    )
    assert draft.status_code == 200
    assert draft.text.count('data-testid="letter-item"') == 2
    assert 'name="issued_on" type="text" value="21/03/2026"' in draft.text

    response = await client.post(
        "/follow-ups/reminders",
        data=_form(csrf, [w.measure, half_paid]),
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    letter = await ReminderLetter.select().first()
    assert response.headers["location"] == f"/reminders/{letter['id']}"
    assert (letter["number"], letter["year"], letter["addressee"]) == (1, 2026, "Sở Tài chính")
    assert letter["addressee_agency"] == w.finance
    register = await DocumentNumber.select().where(DocumentNumber.agency == w.province)
    assert [(r["number"], r["kind"], r["symbol"]) for r in register] == [(1, "CV", "TTr")]

    items = await ReminderItem.select().order_by(ReminderItem.position)
    assert [(i["measure"], i["left_vnd"]) for i in items] == [
        (half_paid, 500_000_000),  # due 10/03, listed first
        (w.measure, 120_000_000),
    ]
    reminded = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.after).where(
        AuditEvent.action == "reminded"
    )
    assert sorted(r["entity_id"] for r in reminded) == sorted([w.measure, half_paid])
    assert all("01/TTr" in str(r["after"]) for r in reminded)

    notices = await Notification.select().where(Notification.kind == "letter")
    assert [n["user"] for n in notices] == [w.finance_lead]
    assert notices[0]["title"] == (
        "Công văn đôn đốc số 01/TTr của Thanh tra tỉnh: 2 kiến nghị cần thực hiện."
    )
    assert notices[0]["link"] == f"/reminders/{letter['id']}"

    board = (await client.get("/follow-ups")).text
    start = board.index(f'href="/measures/{half_paid}"')
    row = board[board.rindex("<tr", 0, start) : board.index("</tr>", start)]
    assert "đã đôn đốc 1 lần, lần cuối 21/03/2026" in row
    history = (await client.get(f"/measures/{half_paid}")).text
    assert "Đôn đốc bằng công văn" in history and "01/TTr" in history
    # The letter's number finds the case in the search box, written either way.
    case_id = (await Measure.select(Measure.inspection).where(Measure.id == half_paid))[0][
        "inspection"
    ]
    for typed in ("01/TTr", "01 ttr"):
        found = (await client.get("/api/inspections", params={"q": typed})).json()["items"]
        assert case_id in [case["id"] for case in found], typed


async def test_the_files_say_what_was_sent(client: Any, monkeypatch: Any) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    await client.post("/follow-ups/reminders", data=_form(csrf, [w.measure, half_paid]))
    letter_id = (await ReminderLetter.select(ReminderLetter.id).first())["id"]
    # What is left changes later: the letter keeps what it said.
    await Measure.update({Measure.done_vnd: 900_000_000}).where(Measure.id == half_paid)

    pdf = await client.get(f"/reminders/{letter_id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "letter.pdf"
        path.write_bytes(pdf.content)
        text = " ".join((await pdf_text(path)).split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 01/TTr",
        "V/v đôn đốc thực hiện kiến nghị sau thanh tra",
        "Hạ Long, ngày 21 tháng 3 năm 2026",
        "Kính gửi: Sở Tài chính.",
        "Thu hồi tiền sử dụng đất nộp thiếu",
        "Thu hồi 120.000.000 đ về ngân sách",
        "500.000.000 ₫",
        "120.000.000 ₫",
        "10/03/2026",
        "05/04/2026",  # report back by
        "Nơi nhận:",
        "Nguyễn Văn Bình",
    ):
        assert expected in text, expected

    docx = await client.get(f"/reminders/{letter_id}/letter.docx")
    assert docx.status_code == 200
    assert docx.headers["content-disposition"].endswith('cong-van-01-2026.docx"')
    document = Document(io.BytesIO(docx.content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [
        line
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for line in cell.text.split("\n")
    ]
    assert "Kính gửi: Sở Tài chính." in paragraphs
    assert "Số: 01/TTr" in cells and "Nguyễn Văn Bình" in cells
    assert "500.000.000 ₫" in cells and "120.000.000 ₫" in cells
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30


async def test_rows_of_two_units_make_two_letters_with_consecutive_numbers(
    client: Any, monkeypatch: Any
) -> None:
    w, half_paid = await _world()
    await Measure.update({Measure.responsible_agency: w.division}).where(Measure.id == half_paid)
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    response = await client.post(
        "/follow-ups/reminders", data=_form(csrf, [w.measure, half_paid]), follow_redirects=False
    )
    assert response.headers["location"] == "/reminders"
    letters = await ReminderLetter.select().order_by(ReminderLetter.number)
    assert [(x["number"], x["addressee"]) for x in letters] == [
        (1, "Phòng Nghiệp vụ 1"),
        (2, "Sở Tài chính"),
    ]


@pytest.mark.parametrize(("days_ago", "asks"), [(6, True), (7, False)])
async def test_a_second_reminder_within_the_interval_asks_for_confirmation(
    client: Any, monkeypatch: Any, days_ago: int, asks: bool
) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    first = _form(csrf, [half_paid], issued_on=format_date(TODAY - timedelta(days=days_ago)))
    assert (await client.post("/follow-ups/reminders", data=first)).status_code == 200
    before = await _counts()

    again = await client.post("/follow-ups/reminders", data=_form(csrf, [half_paid]))
    if asks:
        assert again.status_code == 422
        assert 'data-testid="confirm-repeat"' in again.text
        assert "đánh dấu ô để vẫn đôn đốc lại" in again.text
        assert await _counts() == before  # nothing written, no number taken
        counter = await DocumentCounter.select().first()
        assert counter["last_number"] == 1
        confirmed = _form(csrf, [half_paid], confirm_repeat="1")
        assert (await client.post("/follow-ups/reminders", data=confirmed)).status_code == 200
    else:
        assert again.status_code == 200
    numbers = [r["number"] for r in await ReminderLetter.select().order_by(ReminderLetter.id)]
    assert numbers == [1, 2]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"issued_on": "22/03/2026"}, "issued_on"),  # tomorrow
        ({"issued_on": "18/02/2026"}, "issued_on"),  # 31 days back (30 is the limit)
        ({"issued_on": "31/02/2026"}, "issued_on"),
        ({"report_by": "21/03/2026"}, "report_by"),  # the same day as the letter
        ({"report_by": "31/12/9999"}, "report_by"),
        ({"note": "a\x00b"}, "note"),
        ({"signing_form": "kt"}, "signer_title"),  # KT. needs the signer's own title
        ({"signing_form": "nobody"}, "signing_form"),
    ],
)
async def test_bad_input_comes_back_beside_its_field_and_writes_nothing(
    client: Any, monkeypatch: Any, fields: dict[str, str], field: str
) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    response = await client.post("/follow-ups/reminders", data=_form(csrf, [half_paid], **fields))
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text
    # The input is kept.
    assert 'value="Nguyễn Văn Bình"' in response.text
    assert await _counts() == (0, 0, 0, 0)


async def test_thirty_days_back_is_accepted(client: Any, monkeypatch: Any) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    form = _form(csrf, [half_paid], issued_on="19/02/2026")  # 30 days before 21/03
    # 19/02 is 30 days before 21/03 in 2026 (February has 28 days).
    assert (TODAY - date(2026, 2, 19)).days == 30
    assert (await client.post("/follow-ups/reminders", data=form)).status_code == 200


@pytest.mark.parametrize(
    "ids", [[], ["99999999999"], ["2147483648"], ["abc"], [str(2**31 - 1)], ["0"], ["-1"]]
)
async def test_no_open_recommendation_chosen_is_a_clear_error(
    client: Any, monkeypatch: Any, ids: list[str]
) -> None:
    w, _ = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    data = {**_form(csrf, []), "measure_id": ids}
    response = await client.post("/follow-ups/reminders", data=data)
    assert response.status_code == 422
    assert "Chọn ít nhất một kiến nghị" in response.text or "không còn mở" in response.text
    draft = await client.get("/follow-ups/reminders/new", params={"measure_id": ids})
    assert draft.status_code == 422
    assert await _counts() == (0, 0, 0, 0)


async def test_every_problem_of_the_form_comes_back_at_once(client: Any, monkeypatch: Any) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    data = _form(csrf, [half_paid], issued_on="22/03/2026", report_by="01/01/2026", note="a\x00b")
    response = await client.post("/follow-ups/reminders", data=data)
    assert response.status_code == 422
    for field in ("issued_on", "report_by", "note"):
        assert f'id="e-{field}"' in response.text, field
    assert await _counts() == (0, 0, 0, 0)


async def test_a_recommendation_done_or_out_of_scope_meanwhile_stops_the_letter(
    client: Any, monkeypatch: Any
) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.lead)  # the division's lead: the case is in scope
    await Measure.update({Measure.status: "done"}).where(Measure.id == half_paid)
    response = await client.post("/follow-ups/reminders", data=_form(csrf, [w.measure, half_paid]))
    assert response.status_code == 422
    assert "không còn mở" in response.text
    assert await _counts() == (0, 0, 0, 0)


async def test_a_failure_inside_issuing_leaves_no_letter_number_or_history(
    client: Any, monkeypatch: Any
) -> None:
    from inspect_app.services import reminder_letters

    w, half_paid = await _world()
    _today(monkeypatch)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("mail server exploded")

    monkeypatch.setattr(reminder_letters, "_notify", broken)
    from inspect_app.principal import Principal

    agency = await Agency.select(Agency.path).where(Agency.id == w.province).first()
    head = Principal(w.head, "chanh", "Chánh thanh tra", "head", w.province, agency["path"])
    form = reminder_letters.LetterForm((half_paid,), TODAY, TODAY + timedelta(days=15))
    with pytest.raises(RuntimeError):
        await reminder_letters.issue(head, form, TODAY)
    assert await _counts() == (0, 0, 0, 0)
    assert await ReminderItem.count() == 0
    counter = await DocumentCounter.select().first()
    assert counter is None  # the number was given back with the rolled-back transaction


async def test_the_letter_is_read_by_its_issuer_and_its_addressee_only(
    client: Any, monkeypatch: Any
) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    await client.post("/follow-ups/reminders", data=_form(csrf, [half_paid]))
    letter_id = (await ReminderLetter.select(ReminderLetter.id).first())["id"]

    # Sở Tài chính's lead sees it (addressed to their unit), and in the notification list.
    await sign_in(client, w.finance_lead)
    assert (await client.get(f"/reminders/{letter_id}")).status_code == 200
    notices = (await client.get("/notifications")).text
    assert "Công văn đôn đốc số 01/TTr" in notices
    notice = await Notification.select(Notification.id).where(Notification.kind == "letter").first()
    opened = await client.post(
        f"/notifications/{notice['id']}/read",
        data={"_csrf_token": str(client.cookies.get("csrftoken"))},
        follow_redirects=False,
    )
    assert opened.headers["location"] == f"/reminders/{letter_id}"
    assert "01/TTr" in (await client.get("/reminders")).text
    # The division's inspector neither issued nor received it.
    await sign_in(client, w.member)
    assert (await client.get(f"/reminders/{letter_id}")).status_code == 404
    assert (await client.get(f"/reminders/{letter_id}/letter.docx")).status_code == 404
    assert "01/TTr" not in (await client.get("/reminders")).text


async def test_a_whole_unit_is_drafted_from_the_board_filter(client: Any, monkeypatch: Any) -> None:
    w, half_paid = await _world()
    _today(monkeypatch)
    await sign_in(client, w.head)
    board = (await client.get("/follow-ups")).text
    assert f'unit_id={w.finance}"' in board
    draft = await client.get(
        "/follow-ups/reminders/new", params={"unit_id": str(w.finance), "min_left_vnd": "200000000"}
    )
    # Only the half-paid recommendation has more than 200 triệu left.
    assert draft.text.count('data-testid="letter-item"') == 1
    assert f'name="measure_id" value="{half_paid}"' in draft.text


async def test_the_units_users_get_the_letter_by_mail_once(
    client: Any, monkeypatch: Any, redis_url: str, smtp_inbox: Inbox
) -> None:
    w, half_paid = await _world()
    await AppUser.update({AppUser.email: "taichinh@example.test"}).where(
        AppUser.id == w.finance_lead
    )
    _today(monkeypatch)
    csrf = await sign_in(client, w.head)
    await client.post("/follow-ups/reminders", data=_form(csrf, [half_paid]))
    letter_id = (await ReminderLetter.select(ReminderLetter.id).first())["id"]

    # Issuing queued the delivery; a second request for it finds nothing more to send.
    await run_jobs(redis_url, ("deliver_emails", (), "mail-again"))
    assert len(smtp_inbox.messages) == 1
    recipients, message = smtp_inbox.messages[0]
    assert recipients == ["taichinh@example.test"]
    assert subject_of(message).startswith("Công văn đôn đốc số 01/TTr của Thanh tra tỉnh")
    body = message.get_payload(decode=True).decode()
    assert f"/reminders/{letter_id}" in body and "Thu hồi tiền sử dụng đất nộp thiếu" in body
