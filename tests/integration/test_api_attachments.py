"""Attachments through the API: type by content, size limit, hash, download in scope."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest

from inspect_app.settings import get_settings
from models.tables import Attachment
from tests.factories import (
    make_finding,
    make_inspection,
    make_subject,
    make_tree,
    make_user,
    row_count,
)

pytestmark = pytest.mark.usefixtures("db")

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
async def world() -> dict[str, Any]:
    tree = await make_tree()
    lead = await make_user(tree["A"], "lead")
    case = await make_inspection(lead, [await make_subject()])
    return {
        "lead": lead,
        "viewer": await make_user(tree["A"], "viewer"),
        "outsider": await make_user(tree["B"], "lead"),
        "case": case,
        "finding": await make_finding(lead, case),
    }


async def _upload(client, actor, entity_type: str, entity_id: int, name: str, content: bytes):
    return await client.post(
        "/api/attachments",
        data={"entity_type": entity_type, "entity_id": str(entity_id)},
        files={"file": (name, content, "application/octet-stream")},
        headers=actor.headers,
    )


async def test_upload_list_and_download(client, world) -> None:
    response = await _upload(
        client, world["lead"], "inspection", world["case"]["id"], "Quyết định số 15.pdf", PDF
    )
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(PDF)
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert attachment["filename"] == "Quyết định số 15.pdf"
    stored = await Attachment.select(Attachment.storage_name).first()
    assert (get_settings().upload_dir / stored["storage_name"]).read_bytes() == PDF
    assert "Quyết" not in stored["storage_name"]

    listed = await client.get(
        f"/api/attachments?entity_type=inspection&entity_id={world['case']['id']}",
        headers=world["viewer"].headers,
    )
    assert [a["id"] for a in listed.json()["items"]] == [attachment["id"]]
    download = await client.get(
        f"/api/attachments/{attachment['id']}", headers=world["viewer"].headers
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=utf-8''quy%e1%ba%bft" in download.headers["content-disposition"].lower()


async def test_office_and_image_files_by_content(client, world) -> None:
    docx = await _upload(
        client, world["lead"], "finding", world["finding"]["id"], "bien-ban.docx", _docx()
    )
    png = await _upload(client, world["lead"], "finding", world["finding"]["id"], "anh.png", PNG)
    assert docx.status_code == 201, docx.text
    assert png.status_code == 201, png.text
    assert png.json()["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "file"),  # a program named .pdf
        ("anh.pdf", PNG, "file"),  # the name does not match the content
        ("fake.docx", b"PK\x03\x04 not a zip", "file"),
        ("empty.pdf", b"", "file"),
    ],
)
async def test_refused_files_store_nothing(client, world, name, content, field) -> None:
    upload_dir = get_settings().upload_dir
    files_before = len(list(upload_dir.glob("*"))) if upload_dir.exists() else 0
    response = await _upload(
        client, world["lead"], "inspection", world["case"]["id"], name, content
    )
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await row_count(Attachment) == 0
    files_after = len(list(upload_dir.glob("*"))) if upload_dir.exists() else 0
    assert files_after == files_before


async def test_too_large_is_refused(client, world, monkeypatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(type(settings), "max_upload_mb", property(lambda self: 0), raising=False)
    response = await _upload(client, world["lead"], "inspection", world["case"]["id"], "a.pdf", PDF)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert await row_count(Attachment) == 0


async def test_scope_roles_and_bad_entity(client, world) -> None:
    uploaded = (
        await _upload(client, world["lead"], "inspection", world["case"]["id"], "a.pdf", PDF)
    ).json()
    outsider = world["outsider"].headers
    assert (
        await client.get(f"/api/attachments/{uploaded['id']}", headers=outsider)
    ).status_code == 404
    listed = await client.get(
        f"/api/attachments?entity_type=inspection&entity_id={world['case']['id']}", headers=outsider
    )
    assert listed.status_code == 404
    hidden = await _upload(
        client, world["outsider"], "inspection", world["case"]["id"], "b.pdf", PDF
    )
    viewer = await _upload(client, world["viewer"], "inspection", world["case"]["id"], "b.pdf", PDF)
    bad = await _upload(client, world["lead"], "report", world["case"]["id"], "b.pdf", PDF)
    assert (hidden.status_code, viewer.status_code, bad.status_code) == (404, 403, 422)
    assert await row_count(Attachment) == 1
