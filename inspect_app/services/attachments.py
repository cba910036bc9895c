"""Documents attached to cases, findings, measures and executions.

Files are stored under ``settings.upload_dir`` with a generated name (never the uploaded
name, which is kept only for the download), with their SHA-256 and size. Only PDF, Word
(.docx), Excel (.xlsx), JPEG and PNG files are accepted, recognised by their content (magic
bytes and, for Office files, the parts inside the ZIP), not by the name alone; the name's
extension must agree with the content. Downloads are answered only within the caller's scope.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_app.db import write_transaction
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Attachment as AttachmentOut
from inspect_app.schemas.cases import AttachmentList
from inspect_app.services import audit
from inspect_app.services.case_access import ensure_case_write
from inspect_app.services.casework import Errors, ensure_id, record_id, stored_id, stored_instant
from inspect_app.settings import get_settings
from models.tables import Attachment, Execution, Finding, Inspection, Measure

ENTITY_TYPES = ("inspection", "finding", "measure", "execution")
# Detected type -> (content type, accepted extensions).
FILE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
}
ATTACHMENT_FIELDS = (
    Attachment.id,
    Attachment.entity_type,
    Attachment.entity_id,
    Attachment.filename,
    Attachment.content_type,
    Attachment.size,
    Attachment.sha256,
    Attachment.uploaded_by,
    Attachment.agency,
    Attachment.created_at,
)
UNSUPPORTED = "Upload a PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file."


def detect_type(content: bytes) -> str | None:
    """The file type recognised from the content itself, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def clean_filename(name: str) -> str:
    """The uploaded name reduced to a safe base name (no path, no control characters)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    base = base.strip().strip(".") or "file"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


async def entity_agency(principal: Principal, entity_type: str, entity_id: int) -> int:
    """The agency owning a record the caller can see; NotFound when unknown or out of scope."""
    return (await entity_case(principal, entity_type, entity_id)).agency_id


@dataclass(frozen=True, slots=True)
class RecordCase:
    """The case a record belongs to: its id, its agency and its lead (what the team rule of
    case_access reads)."""

    id: int
    agency_id: int
    lead_user_id: int | None


async def entity_case(principal: Principal, entity_type: str, entity_id: int) -> RecordCase:
    """The case of a record in scope (the record itself for a case); NotFound otherwise."""
    ensure_id(entity_id)
    scope = principal.scope_pattern
    row: dict[str, Any] | None
    if entity_type == "inspection":
        row = (
            await Inspection.select(
                Inspection.agency.as_alias("agency_id"),
                Inspection.id,
                Inspection.lead_user,
            )
            .where(
                (Inspection.id == entity_id)
                & Inspection.agency.path.like(scope)
                & Inspection.deleted_at.is_null()
            )
            .first()
        )
    elif entity_type == "finding":
        row = (
            await Finding.select(
                Finding.inspection._.agency._.id.as_alias("agency_id"),
                Finding.inspection._.id.as_alias("id"),
                Finding.inspection._.lead_user.as_alias("lead_user"),
            )
            .where(
                (Finding.id == entity_id)
                & Finding.inspection._.agency._.path.like(scope)
                & Finding.deleted_at.is_null()
                & Finding.inspection._.deleted_at.is_null()
            )
            .first()
        )
    elif entity_type == "measure":
        row = (
            await Measure.select(
                Measure.inspection._.agency._.id.as_alias("agency_id"),
                Measure.inspection._.id.as_alias("id"),
                Measure.inspection._.lead_user.as_alias("lead_user"),
            )
            .where(
                (Measure.id == entity_id)
                & Measure.inspection._.agency._.path.like(scope)
                & Measure.deleted_at.is_null()
                & Measure.inspection._.deleted_at.is_null()
            )
            .first()
        )
    elif entity_type == "execution":
        row = (
            await Execution.select(
                Execution.measure._.inspection._.agency._.id.as_alias("agency_id"),
                Execution.measure._.inspection._.id.as_alias("id"),
                Execution.measure._.inspection._.lead_user.as_alias("lead_user"),
            )
            .where(
                (Execution.id == entity_id)
                & Execution.measure._.inspection._.agency._.path.like(scope)
                & Execution.measure._.deleted_at.is_null()
                & Execution.measure._.inspection._.deleted_at.is_null()
            )
            .first()
        )
    else:
        raise InvalidInput({"entity_type": "Choose a value from the list."})
    if row is None:
        raise NotFound()
    return RecordCase(
        id=int(row["id"]),
        agency_id=int(row["agency_id"]),
        lead_user_id=stored_id(row["lead_user"]),
    )


def _out(row: Mapping[str, Any]) -> AttachmentOut:
    uploaded_by = row["uploaded_by"]
    return AttachmentOut(
        id=int(row["id"]),
        entity_type=str(row["entity_type"]),
        entity_id=int(row["entity_id"]),
        filename=str(row["filename"]),
        content_type=str(row["content_type"]),
        size=int(row["size"]),
        sha256=str(row["sha256"]),
        uploaded_by_id=None if uploaded_by is None else int(uploaded_by),
        agency_id=int(row["agency"]),
        created_at=stored_instant(row["created_at"]),
    )


def files_by_owner(
    rows: Sequence[Mapping[str, Any]], own_type: str, child_ids: list[int]
) -> tuple[list[AttachmentOut], dict[int, list[AttachmentOut]]]:
    """Stored attachment rows of one record and of its children (read together by a page),
    shaped: the record's own (``own_type``) in order, and each listed child's (child id ->
    list); a child not in ``child_ids`` (not shown on the page) is left out."""
    own: list[AttachmentOut] = []
    by_child: dict[int, list[AttachmentOut]] = {child: [] for child in child_ids}
    for row in rows:
        if row["entity_type"] == own_type:
            own.append(_out(row))
        elif row["entity_id"] in by_child:
            by_child[row["entity_id"]].append(_out(row))
    return own, by_child


def _storage_path(storage_name: str) -> Path:
    return get_settings().upload_dir / storage_name


@dataclass(frozen=True)
class AttachmentTarget:
    """The record a file is attached to."""

    entity_type: str
    entity_id: int


def target_request(data: Mapping[str, Any]) -> tuple[AttachmentTarget, Errors]:
    """The record an upload form names (``entity_type``, ``entity_id``) as what
    :func:`upload` takes, with the problem of an id that could not be read (pass it as
    ``unread``)."""
    errors = Errors()
    entity_id = record_id(data, "entity_id", errors)
    return AttachmentTarget(str(data.get("entity_type") or ""), entity_id or 0), errors


async def upload(
    principal: Principal,
    target: AttachmentTarget,
    filename: str,
    content: bytes,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> AttachmentOut:
    """Store a file attached to a visible record; checks type by content and the size limit.
    InvalidInput names every problem at once, with those of the form (``unread``)."""
    errors = Errors()
    detected: str | None = None
    entity_type = target.entity_type
    if entity_type not in ENTITY_TYPES:
        errors["entity_type"] = "Choose a value from the list."
    values = {"entity_id": target.entity_id}
    entity_id = record_id(values, "entity_id", errors)
    errors.add_unread(values, unread)
    limit = get_settings().max_upload_mb * 1024 * 1024
    if not content:
        errors["file"] = "Choose a file to upload."
    elif len(content) > limit:
        errors["file"] = "The file is larger than the upload limit."
    else:
        detected = detect_type(content)
        if detected is None:
            errors["file"] = UNSUPPORTED
        elif not clean_filename(filename).lower().endswith(FILE_TYPES[detected][1]):
            errors["file"] = "The file name's extension does not match its content."
    errors.raise_if_any()
    assert entity_id is not None and detected is not None
    case = await entity_case(principal, entity_type, entity_id)
    await ensure_case_write(principal, case, "attachment.upload")
    agency_id = case.agency_id
    storage_name = uuid.uuid4().hex
    path = _storage_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    try:
        async with write_transaction():
            rows = await Attachment.insert(
                Attachment(
                    entity_type=entity_type,
                    entity_id=entity_id,
                    filename=clean_filename(filename),
                    content_type=FILE_TYPES[detected][0],
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    storage_name=storage_name,
                    uploaded_by=principal.id,
                    agency=agency_id,
                )
            ).returning(Attachment.id)
            created = await get_attachment(principal, rows[0]["id"])
            await audit.record(
                "upload",
                actor=principal,
                entity_type="attachment",
                entity_id=created.id,
                agency_id=agency_id,
                after={**audit.snapshot(created), "on": f"{entity_type}:{entity_id}"},
                ip=ip,
            )
    except BaseException:
        path.unlink(missing_ok=True)  # no row, no orphan file
        raise
    return created


async def _row(principal: Principal, attachment_id: int) -> dict[str, Any]:
    ensure_id(attachment_id)
    row = (
        await Attachment.select(*ATTACHMENT_FIELDS, Attachment.storage_name)
        .where(
            (Attachment.id == attachment_id)
            & Attachment.agency.path.like(principal.scope_pattern)
            & Attachment.deleted_at.is_null()
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def get_attachment(principal: Principal, attachment_id: int) -> AttachmentOut:
    """The description of one attachment in scope; NotFound otherwise."""
    return _out(await _row(principal, attachment_id))


async def download(principal: Principal, attachment_id: int) -> tuple[AttachmentOut, Path]:
    """An attachment in scope and the path of its stored file, for sending."""
    row = await _row(principal, attachment_id)
    path = _storage_path(row["storage_name"])
    if not path.is_file():
        raise NotFound("The stored file is missing.")
    return _out(row), path


async def list_attachments(
    principal: Principal, entity_type: str, entity_id: int
) -> AttachmentList:
    """The attachments of one visible record, oldest first."""
    if entity_type not in ENTITY_TYPES:
        raise InvalidInput({"entity_type": "Choose a value from the list."})
    await entity_agency(principal, entity_type, entity_id)
    rows = (
        await Attachment.select(*ATTACHMENT_FIELDS)
        .where(
            (Attachment.entity_type == entity_type)
            & (Attachment.entity_id == entity_id)
            & Attachment.deleted_at.is_null()
        )
        .order_by(Attachment.id)
    )
    return AttachmentList(items=[_out(row) for row in rows])
