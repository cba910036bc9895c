"""Control characters in stored text never break a report or an export, and new input
refuses them.

A name such as "Phòng\\x0bnghiệp vụ 1" (written before input was checked, or straight into
the database) used to make every report of the agency and of its parents fail: openpyxl
refuses the character. Exports now print it as a space and log the cause; the migration
cleans what is stored; the services refuse it on input.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from inspect_app.errors import InvalidInput
from inspect_app.job_queue import close_pools
from inspect_app.principal import Principal
from inspect_app.services import follow_ups, report_runner, reports
from inspect_app.services.follow_ups import Deadline
from inspect_app.services.report_exports import CSV_TABLES, report_schema
from jobs.reports import generate_report_job
from models.tables import Agency, AppUser, Inspection, Subject
from tests.authz.world import World, build_world
from tests.conftest import app_client
from tests.factories import deadline_as_shown
from tests.integration.report_dataset import build_world as build_report_world

BAD_NAME = "Phòng\u000bnghiệp vụ 1"
SHOWN_NAME = "Phòng nghiệp vụ 1"
CLEANING_MIGRATION = "models.piccolo_migrations.models_2026_12_04t10_00_00_000000"


@pytest.fixture
async def province_head(db: str, redis_url: str) -> AsyncIterator[tuple[Principal, int]]:
    """The report dataset, a child agency of the province named with a control character
    (inserted straight into the database), and the province's head."""
    world = await build_report_world()
    province = world["province"]
    bad = Agency(code="NV1", name=BAD_NAME, parent=province, path="", depth=1)
    await bad.save()
    await Agency.update({Agency.path: f"/{province}/{bad.id}/"}).where(Agency.id == bad.id)
    user = AppUser(
        username="chanh-thanh-tra", full_name="Trần Thị Bình", role="head", agency=province
    )
    await user.save()
    head = Principal(int(user.id), user.username, user.full_name, "head", province, f"/{province}/")
    yield head, province
    await close_pools()


async def test_a_control_character_in_a_child_agency_name_does_not_break_the_parents_report(
    province_head: tuple[Principal, int], caplog: pytest.LogCaptureFixture
) -> None:
    head, province = province_head
    report = await reports.request_report(head, province, "2026-Q1")
    with caplog.at_level(logging.WARNING, logger="inspect_app.services.export_text"):
        await generate_report_job(None, report.id)
    done = await reports.get_report(head, report.id)
    assert done.status == "done", done.error

    folder = report_runner.report_folder(report.id)
    book = load_workbook(folder / "report.xlsx")
    labels = [cell.value for cell in book["01 Thanh tra"]["B"]]
    assert SHOWN_NAME in labels
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert SHOWN_NAME in html
    assert "\x0b" not in html
    pdf = PdfReader(folder / "report.pdf")
    assert len(pdf.pages) >= 1
    # The cause is logged, naming the file and the stored text.
    logged = [r.getMessage() for r in caplog.records if "control characters" in r.getMessage()]
    assert any("XLSX" in line and repr(BAD_NAME) in line for line in logged), logged
    assert any("HTML" in line and repr(BAD_NAME) in line for line in logged), logged


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _sheet_texts(path: Path) -> dict[str, list[str]]:
    book = load_workbook(path)
    return {
        sheet.title: [
            str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None
        ]
        for sheet in book.worksheets
    }


async def test_every_file_of_a_report_cleans_the_frame_the_narrative_and_the_copies(
    province_head: tuple[Principal, int], caplog: pytest.LogCaptureFixture
) -> None:
    """The agency's own name (so the narrative and the frame), its document settings and a
    child's name hold control characters: every file is written, opens, and holds none."""
    head, province = province_head
    await Agency.update(
        {
            Agency.name: "Thanh tra\x0btỉnh Hà Nam",
            Agency.parent_body: "UBND\x01tỉnh Hà Nam",
            Agency.recipients: "Thanh tra\x02Chính phủ\nUBND tỉnh Hà Nam",
        }
    ).where(Agency.id == province)
    report = await reports.request_report(head, province, "2026-Q1")
    with caplog.at_level(logging.WARNING, logger="inspect_app.services.export_text"):
        await generate_report_job(None, report.id)
    done = await reports.get_report(head, report.id)
    assert done.status == "done", done.error
    folder = report_runner.report_folder(report.id)
    assert sorted(p.name for p in folder.iterdir()) == sorted(report_runner.FILES.values())
    assert set(done.sha256) == set(report_runner.FILES)

    for name in ("report.html", "report.json", *(f"{t}.csv" for t in CSV_TABLES)):
        text = (folder / name).read_text(encoding="utf-8")
        assert not CONTROL.search(text), name
    copy = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(copy, report_schema(copy["layout_version"]))
    assert copy["agency"]["name"] == "Thanh tra tỉnh Hà Nam"
    assert SHOWN_NAME in [row["name"] for row in copy["rows"]]
    for table in CSV_TABLES:
        text = (folder / f"{table}.csv").read_text(encoding="utf-8")
        names = [line[3] for line in csv.reader(io.StringIO(text))][1:]
        assert names[0] == "Thanh tra tỉnh Hà Nam" and SHOWN_NAME in names, table

    sheets = _sheet_texts(folder / "report.xlsx")
    narrative = sheets["Thuyết minh"]
    assert not [text for texts in sheets.values() for text in texts if CONTROL.search(text)]
    assert any("Thanh tra tỉnh Hà Nam báo cáo" in text for text in narrative), narrative
    assert any("UBND TỈNH HÀ NAM" in text for text in narrative), narrative
    assert any("Thanh tra Chính phủ" in text for text in narrative), narrative
    pdf_text = "".join(page.extract_text() for page in PdfReader(folder / "report.pdf").pages)
    assert "UBND TỈNH HÀ NAM" in pdf_text

    logged = [r.getMessage() for r in caplog.records if "control characters" in r.getMessage()]
    for kind in ("HTML", "XLSX", "JSON", "CSV inspections", "CSV checks", "CSV implementation"):
        assert any(f"report {kind} of agency {province}" in line for line in logged), kind


async def test_sign_off_refuses_a_signer_with_control_characters_and_signs_clean_files(
    province_head: tuple[Principal, int],
) -> None:
    head, province = province_head
    report = await reports.request_report(head, province, "2026-Q1")
    await generate_report_job(None, report.id)
    with pytest.raises(InvalidInput) as refused:
        await reports.sign_off(head, report.id, signer={"signer_name": "Trần\x0bThị Bình"})
    assert refused.value.errors == {"signer_name": "Remove the control characters from the text."}

    # Stored before input was checked: the agency's name is frozen into the signed frame as
    # it is, and the signed files print it clean.
    await Agency.update({Agency.name: "Thanh tra\x0btỉnh Hà Nam"}).where(Agency.id == province)
    signed = await reports.sign_off(head, report.id)
    assert signed.signed and not signed.files_pending, signed
    folder = report_runner.report_folder(report.id)
    for key, name in report_runner.FILES.items():
        assert report_runner.file_sha256(folder / name) == signed.sha256[key], key
    copy = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert copy["report"]["status"] == "signed"
    assert not CONTROL.search((folder / "report.json").read_text(encoding="utf-8"))
    assert not [
        t for ts in _sheet_texts(folder / "report.xlsx").values() for t in ts if CONTROL.search(t)
    ]


def _board_row(title: str) -> Deadline:
    return deadline_as_shown(
        unit_name=BAD_NAME,
        inspection_title=title,
        description="Thu hồi\x01 tiền",
        days_left=3,
        state="due_soon",
        agency_name=BAD_NAME,
    )


def test_the_follow_up_board_exports_clean_stored_text(caplog: pytest.LogCaptureFixture) -> None:
    rows = [_board_row("Thanh tra\x0c việc quản lý"), _board_row("Bình thường")]
    with caplog.at_level(logging.WARNING, logger="inspect_app.services.export_text"):
        workbook = follow_ups.export_xlsx(rows, str, date(2026, 3, 11))
        csv_bytes = follow_ups.export_csv(rows, str)
    book = load_workbook(io.BytesIO(workbook))
    summary = book.active
    assert summary is not None
    assert summary.cell(2, 1).value == SHOWN_NAME  # the unit's line of the summary
    sheet = book[book.sheetnames[1]]  # the unit's own sheet, named after it
    assert book.sheetnames[1] == SHOWN_NAME
    assert sheet.cell(2, 1).value == SHOWN_NAME
    assert sheet.cell(2, 3).value == "Thanh tra  việc quản lý"
    text = csv_bytes.decode("utf-8-sig")
    assert SHOWN_NAME in text
    assert not any(ch in text for ch in "\x01\x0b\x0c")
    assert sum("follow-up board" in r.getMessage() for r in caplog.records) == 2


# --------------------------------------------------------------------------- migration


@pytest.mark.storage
async def test_the_migration_cleans_stored_names_and_logs_each_change(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    root = Agency(code="TTT\x0b", name=BAD_NAME, path="/1/", depth=0)
    await root.save()
    other = Agency(code="TTT", name="Thanh tra tỉnh", path="/2/", depth=0)
    await other.save()
    subject = Subject(
        name="Công ty\x1f Hà Nam", kind="organization", search_text="cong ty\x1f ha nam"
    )
    await subject.save()
    user = AppUser(username="an", full_name="Nguyễn\tVăn An", role="viewer", agency=root.id)
    await user.save()
    case = Inspection(
        code="TT\x0701", agency=root.id, title="Thanh tra\nđất đai", kind="inspection"
    )
    await case.save()

    migration = importlib.import_module(CLEANING_MIGRATION)
    with caplog.at_level(logging.WARNING, logger="models.migrations"):
        changed = await migration.clean_control_characters()

    assert changed == 5
    assert (await Agency.select(Agency.name).where(Agency.id == root.id).first())["name"] == (
        SHOWN_NAME
    )
    # The cleaned code would collide with another agency's: left as it is, and said so.
    assert (await Agency.select(Agency.code).where(Agency.id == root.id).first())["code"] == (
        "TTT\x0b"
    )
    row = await Subject.select(Subject.name, Subject.search_text).where(Subject.id == subject.id)
    assert row == [{"name": "Công ty Hà Nam", "search_text": "cong ty ha nam"}]
    assert (await AppUser.select(AppUser.full_name).where(AppUser.id == user.id))[0] == {
        "full_name": "Nguyễn Văn An"
    }
    case_row = await Inspection.select(Inspection.code, Inspection.title).where(
        Inspection.id == case.id
    )
    assert case_row == [{"code": "TT 01", "title": "Thanh tra đất đai"}]
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert f"agency {root.id}: control characters removed from name" in messages
    assert "left as it is" in messages
    # Run again: nothing left to clean.
    assert await migration.clean_control_characters() == 0


# --------------------------------------------------------------------------- input


@pytest.fixture
async def world(db: str, redis_url: str) -> World:
    return await build_world()


@pytest.fixture
async def api(app: Any, world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app, follow_redirects=False) as client:
        yield client


def _as(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.bearer[role]}"}


async def test_names_with_control_characters_are_refused_with_the_field_named(
    api: httpx.AsyncClient, world: World
) -> None:
    agency = await api.post(
        "/api/agencies",
        json={
            "code": "NV9",
            "name": BAD_NAME,
            "kind": "department",
            "parent_id": world.agencies["A"],
        },
        headers=_as(world, "admin"),
    )
    assert agency.status_code == 422
    assert agency.json()["errors"] == [
        {"field": "name", "message": "Xóa các ký tự điều khiển khỏi nội dung."}
    ]
    subject = await api.post(
        "/api/subjects",
        json={"kind": "organization", "name": "Trường\tLê Lợi"},
        headers=_as(world, "inspector"),
    )
    assert subject.status_code == 422
    assert [e["field"] for e in subject.json()["errors"]] == ["name"]
    user = await api.post(
        "/api/users",
        json={
            "username": "moi",
            "full_name": "Lê\nVăn Mới",
            "role": "viewer",
            "agency_id": world.agencies["A"],
            "password": "MatKhau@2026",
        },
        headers=_as(world, "admin"),
    )
    assert user.status_code == 422
    assert [e["field"] for e in user.json()["errors"]] == ["full_name"]
    token = await api.post(
        "/api/tokens", json={"name": "xuất\x1bdữ liệu"}, headers=_as(world, "admin")
    )
    assert token.status_code == 422


async def test_agency_document_settings_with_control_characters_are_refused(
    api: httpx.AsyncClient, world: World
) -> None:
    agency_id = world.agencies["A"]
    current = await api.get(f"/api/agencies/{agency_id}", headers=_as(world, "admin"))
    assert current.status_code == 200, current.text
    refused = await api.patch(
        f"/api/agencies/{agency_id}",
        json={
            "version": current.json()["version"],
            "parent_body": "UBND\x01tỉnh",
            "recipients": ["Thanh tra Chính phủ", "Sở\x0bTài chính"],
        },
        headers=_as(world, "admin"),
    )
    assert refused.status_code == 422
    assert sorted(e["field"] for e in refused.json()["errors"]) == ["parent_body", "recipients"]
    assert {e["message"] for e in refused.json()["errors"]} == {
        "Xóa các ký tự điều khiển khỏi nội dung."
    }


async def test_free_text_keeps_tabs_and_line_breaks_but_no_other_control_character(
    api: httpx.AsyncClient, world: World
) -> None:
    headers = _as(world, "inspector")
    base = {"kind": "organization", "name": "Trường THPT Lê Lợi"}
    ok = await api.post(
        "/api/subjects", json={**base, "address": "Số 1\tĐường A\r\nPhường B"}, headers=headers
    )
    assert ok.status_code == 201, ok.text
    refused = await api.post(
        "/api/subjects",
        json={**base, "name": "Trường khác", "address": "Số 1\x0bĐường A"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["address"]
