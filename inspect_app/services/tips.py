"""Tips from the public and the staff: intake, the public status page, triage, identity.

Who sees what:

- anyone with the tracking code: the status and its dates (``public_view``), nothing else;
- staff of the receiving agency's subtree who may take tips in (``tip.intake``): the queue
  and each tip without its sender's identity;
- leads and heads (``tip.triage``): the decisions. The sender's identity is shown only as
  ``domain.tips.identity_visible`` allows (a denouncer's: the handling officer and the
  head), on request, and every such view is audited. The audit rows of tips never carry
  the identity; neither does any list, export or public page.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.mixins import OrderByRaw

from inspect_app import clock
from inspect_app.db import write_transaction
from inspect_app.domain import tips as rules
from inspect_app.domain.messages import N_
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import SubjectCreate
from inspect_app.services import agencies, audit
from inspect_app.services.attachments import FILE_TYPES, clean_filename, detect_type
from inspect_app.services.casework import Errors, choice, flag, record_id, stored_id, text
from inspect_app.services.subjects import TAX_CODE_RE
from inspect_app.services.unit_of_work import unit_of_work
from inspect_app.settings import get_settings
from models.tables import Agency, AppUser, Inspection, Subject, Tip, TipFile

TIP_FILE_TYPES = ("jpg", "png", "pdf")

MSG_FILE_TYPE = N_("Attach photos (JPEG, PNG) or PDF files only.")
MSG_FILE_SIZE = N_("A file is larger than the upload limit.")
MSG_TOO_MANY_FILES = N_("Attach at most 5 files.")
MSG_CONTACT_NEEDED = N_(
    "Give your name and a way to reach you (telephone, e-mail or address), or choose to stay"
    " anonymous."
)
MSG_RATE_LIMITED = N_(
    "Too many reports were sent from your connection in the last hour; please try again"
    " later or call the hotline."
)
MSG_SPAM = N_("The form could not be accepted; please try again.")
MSG_DECIDED = N_("This tip has already been decided.")
MSG_CASE_CLOSED = N_("Choose an inspection that is still open.")
MSG_STALE = N_("Someone else changed this tip meanwhile; the page shows it as it is now.")
MSG_SUBJECT_NEEDED = N_(
    "Name the subject of the inspection (an office, an official, an enterprise)."
)
MSG_TAX_CODE = N_("A tax code is 10 digits, or 10 digits, a dash and 3 digits.")

# What a queue row, the detail page and the audit rows show: never the contact columns.
PUBLIC_FIELDS = (
    Tip.id,
    Tip.code,
    Tip.agency,
    Tip.channel,
    Tip.kind,
    Tip.subject_name,
    Tip.subject_tax_code,
    Tip.content,
    Tip.place,
    Tip.happened,
    Tip.anonymous,
    Tip.status,
    Tip.received_on,
    Tip.due_on,
    Tip.decided_on,
    Tip.decision_reason,
    Tip.forwarded_to,
    Tip.letter_no,
    Tip.inspection,
    Tip.handler,
    Tip.created_by,
    Tip.decided_by,
    Tip.version,
    Tip.created_at,
)
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "contact_address")


def due_days() -> dict[str, rules.TimeLimit]:
    """Handling time limits per kind (TIP_DUE_DAYS over the legal defaults)."""
    return rules.parse_due_days(os.environ.get("TIP_DUE_DAYS"))


def _calendar() -> Any:
    from inspect_app.services.inspections import holiday_calendar

    return holiday_calendar()


def address_hash(ip: str) -> str:
    """A keyed hash of the sender's address: enough to count, useless to trace."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"tip:{ip}".encode(), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- input


def _tax_code(data: Mapping[str, Any], errors: Errors) -> str:
    value = text(data, "subject_tax_code", errors, max_length=14) or ""
    # The subjects' own rule: a case opened from the tip registers its subject with it.
    if value and not TAX_CODE_RE.match(value):
        errors["subject_tax_code"] = MSG_TAX_CODE
    return value


@dataclass(frozen=True)
class TipEntry:
    """A tip as the public's form or a staff member's gives it. ``channel`` is the staff's
    (a call, a letter, a visit); the public's is always the web. ``website`` is a field
    people never see: a robot that fills it is refused."""

    agency_id: int
    kind: str
    content: str
    subject_name: str = ""
    subject_tax_code: str = ""
    place: str = ""
    happened: str = ""
    anonymous: bool = False
    channel: str = "web"
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    website: str = ""


def _read(data: Mapping[str, Any], *, staff: bool) -> tuple[dict[str, Any], Errors]:
    """Checked values of a tip (form text or an entry) and every problem, by field."""
    errors = Errors()
    values: dict[str, Any] = {
        "agency_id": record_id(data, "agency_id", errors),
        "kind": choice(data, "kind", rules.KINDS, errors),
        "subject_name": text(data, "subject_name", errors, max_length=500, single_line=True) or "",
        "subject_tax_code": _tax_code(data, errors),
        "content": text(data, "content", errors, max_length=20_000, required=True),
        "place": text(data, "place", errors, max_length=500, single_line=True) or "",
        "happened": text(data, "happened", errors, max_length=200, single_line=True) or "",
        "anonymous": bool(flag(data, "anonymous", errors)),
    }
    if values["agency_id"] is None and "agency_id" not in errors:
        errors["agency_id"] = "Choose a value from the list."
    if values["kind"] is None and "kind" not in errors:
        errors["kind"] = "Choose a value from the list."
    if staff:
        values["channel"] = choice(data, "channel", rules.STAFF_CHANNELS, errors)
        if values["channel"] is None and "channel" not in errors:
            errors["channel"] = "Choose a value from the list."
    else:
        values["channel"] = "web"
    limits = {"contact_name": 255, "contact_phone": 40, "contact_email": 255}
    limits["contact_address"] = 500
    for key, limit in limits.items():
        values[key] = text(data, key, errors, max_length=limit, single_line=True) or ""
    if values["anonymous"]:
        for key in CONTACT_FIELDS:
            values[key] = ""  # anonymous: nothing about the sender is kept
    elif not staff and not (
        values["contact_name"]
        and (values["contact_phone"] or values["contact_email"] or values["contact_address"])
    ):
        errors["contact_name"] = MSG_CONTACT_NEEDED
    return values, errors


def entry_request(data: Mapping[str, Any], *, staff: bool) -> tuple[TipEntry, Errors]:
    """A tip as its page form gives it, read into what :func:`submit_public` and
    :func:`intake` take, with the problems of the fields that could not be read (pass them
    as ``unread``: the service names them with its own in one answer)."""
    values, errors = _read(data, staff=staff)
    fields = errors.readable(values)
    # Placeholders of fields not read: named in ``errors``, never checked or stored.
    fields = {**{"agency_id": 0, "kind": "", "content": "", "channel": ""}, **fields}
    return TipEntry(**fields, website=str(data.get("website") or "")), errors


def _checked(
    entry: TipEntry, staff: bool, unread: Mapping[str, str] | None
) -> tuple[dict[str, Any], Errors]:
    fields = {key: value for key, value in vars(entry).items() if key != "website"}
    values, errors = _read(fields, staff=staff)
    errors.add_unread(values, unread)
    return values, errors


def check_files(files: list[tuple[str, bytes]], errors: Errors) -> list[tuple[str, bytes, str]]:
    """The files sent with a tip, each checked by its content; problems under "files"."""
    chosen = [(name, content) for name, content in files if content]
    if len(chosen) > rules.MAX_FILES:
        errors["files"] = MSG_TOO_MANY_FILES
        return []
    limit = get_settings().max_upload_mb * 1024 * 1024
    checked = []
    for name, content in chosen:
        detected = detect_type(content)
        if len(content) > limit:
            errors["files"] = MSG_FILE_SIZE
        elif detected not in TIP_FILE_TYPES:
            errors["files"] = MSG_FILE_TYPE
        elif not clean_filename(name).lower().endswith(FILE_TYPES[detected][1]):
            errors["files"] = "The file name's extension does not match its content."
        else:
            checked.append((clean_filename(name), content, FILE_TYPES[detected][0]))
    return checked


def _file_dir() -> Path:
    return get_settings().upload_dir / "tips"


# The inspectorates a citizen addresses (since the Law on Inspection 2025, the provincial
# inspectorate and the local levels; departments have no inspectorate of their own).
RECEIVING_KINDS = ("province_inspectorate", "district", "commune")


async def receiving_agencies() -> list[tuple[int, str]]:
    """The inspectorates a citizen may address (active ones), by the order of the tree."""
    rows = (
        await Agency.select(Agency.id, Agency.name)
        .where((Agency.active == True) & Agency.kind.is_in(list(RECEIVING_KINDS)))  # noqa: E712
        .order_by(Agency.path)
    )
    return [(int(row["id"]), row["name"]) for row in rows]


async def _create(
    values: dict[str, Any],
    files: list[tuple[str, bytes, str]],
    actor: Principal | None,
    ip: str,
) -> TipReceipt:
    created_by = actor.id if actor else None
    today = clock.today()
    stored: list[tuple[str, bytes, str, str]] = []
    for name, content, content_type in files:
        storage_name = uuid.uuid4().hex
        path = _file_dir() / storage_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        stored.append((name, content, content_type, storage_name))
    for _ in range(5):  # a code already taken (one chance in 10^14) is drawn again
        code = rules.new_code()
        if not await Tip.exists().where(Tip.code == code):
            break
    async with write_transaction():
        rows = await Tip.insert(
            Tip(
                code=code,
                agency=values["agency_id"],
                channel=values["channel"],
                kind=values["kind"],
                subject_name=values["subject_name"],
                subject_tax_code=values["subject_tax_code"],
                content=values["content"],
                place=values["place"],
                happened=values["happened"],
                anonymous=values["anonymous"],
                contact_name=values["contact_name"],
                contact_phone=values["contact_phone"],
                contact_email=values["contact_email"],
                contact_address=values["contact_address"],
                received_on=today,
                due_on=rules.handling_due(values["kind"], today, due_days(), _calendar()),
                created_by=created_by,
                ip_hash=address_hash(ip) if created_by is None else "",
            )
        ).returning(Tip.id, Tip.code)
        tip_id = int(rows[0]["id"])
        for name, content, content_type, storage_name in stored:
            await TipFile.insert(
                TipFile(
                    tip=tip_id,
                    filename=name,
                    content_type=content_type,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    storage_name=storage_name,
                )
            )
        await audit.record(
            "tip_received",
            actor=actor,
            entity_type="tip",
            entity_id=tip_id,
            agency_id=values["agency_id"],
            after=_audit_view(values, code),
            ip="" if actor is None else ip,
        )
    return TipReceipt(tip_id, str(rows[0]["code"]))


def _audit_view(values: dict[str, Any], code: str) -> dict[str, Any]:
    """What the audit log keeps of a tip: never who sent it."""
    return {
        "code": code,
        "kind": values["kind"],
        "channel": values["channel"],
        "anonymous": values["anonymous"],
    }


@dataclass(frozen=True)
class TipReceipt:
    """A tip just received: its id and the tracking code its sender keeps."""

    id: int
    code: str


async def submit_public(
    entry: TipEntry,
    files: list[tuple[str, bytes]],
    ip: str,
    *,
    unread: Mapping[str, str] | None = None,
) -> TipReceipt:
    """A tip from the public form; its tracking code. The honeypot and the per-address limit
    refuse abuse; every problem comes back by field (with ``unread``, those the form could
    not read), nothing is stored then."""
    if entry.website.strip():  # a field people never see: a robot filled it
        raise InvalidInput({"form": MSG_SPAM})
    values, errors = _checked(entry, False, unread)
    checked = check_files(files, errors)
    if values.get("agency_id") is not None and values["agency_id"] not in {
        agency_id for agency_id, _ in await receiving_agencies()
    }:
        errors["agency_id"] = "Choose a value from the list."
    errors.raise_if_any()
    now = datetime.now(UTC)
    recent = [
        row["created_at"]
        for row in await Tip.select(Tip.created_at)
        .where((Tip.ip_hash == address_hash(ip)) & (Tip.created_at > now - rules.PUBLIC_WINDOW))
        .limit(rules.PUBLIC_LIMIT)
    ]
    recent = [at if at.tzinfo else at.replace(tzinfo=UTC) for at in recent]
    if rules.over_limit(recent, now):
        raise InvalidInput({"form": MSG_RATE_LIMITED})
    return await _create(values, checked, None, ip)


async def intake(
    principal: Principal,
    entry: TipEntry,
    files: list[tuple[str, bytes]],
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> TipReceipt:
    """A call, a letter or a visit logged by staff; the new tip."""
    if not principal.can("tip.intake"):
        raise Forbidden()
    values, errors = _checked(entry, True, unread)
    checked = check_files(files, errors)
    errors.raise_if_any()
    await agencies.get_visible(principal, values["agency_id"])
    return await _create(values, checked, principal, ip)


# --------------------------------------------------------------------------- reading


async def public_view(raw_code: str) -> rules.PublicView | None:
    """The status page of a tracking code; None for a code that is not one."""
    code = rules.normalise_code(raw_code)
    if code is None:
        return None
    row = (
        await Tip.select(Tip.code, Tip.status, Tip.received_on, Tip.decided_on)
        .where(Tip.code == code)
        .first()
    )
    if row is None:
        return None
    return rules.PublicView(row["code"], row["status"], row["received_on"], row["decided_on"])


def _scoped(principal: Principal) -> Any:
    return Tip.agency.path.like(principal.scope_pattern)


@dataclass(frozen=True)
class TipFileOut:
    """A file sent with a tip (its content stays on disk)."""

    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class TipOut:
    """A tip as staff see it: never its sender's identity. ``identity_allowed`` says whether
    this reader may ask to see it; the names, the case's code and the files are read with
    one tip (get_tip), not with the queue."""

    id: int
    code: str
    agency: int
    agency_name: str
    channel: str
    kind: str
    subject_name: str
    subject_tax_code: str
    content: str
    place: str
    happened: str
    anonymous: bool
    status: str
    received_on: date
    due_on: date
    decided_on: date | None
    decision_reason: str
    forwarded_to: str
    letter_no: str
    inspection: int | None
    handler: int | None
    created_by: int | None
    decided_by: int | None
    version: int
    created_at: datetime
    overdue: bool
    days_left: int
    handler_name: str = ""
    decided_by_name: str = ""
    inspection_code: str = ""
    identity_allowed: bool = False
    files: tuple[TipFileOut, ...] = ()


@dataclass(frozen=True)
class TipLink:
    """The tip a case was opened from or joined."""

    id: int
    code: str
    status: str


async def list_tips(
    principal: Principal,
    status: str | None = None,
    limit: int = 200,
    *,
    channel: str | None = None,
    year: int | None = None,
) -> tuple[list[TipOut], int]:
    """The queue: tips of the agencies in scope, those to decide first (by due date), at
    most ``limit``; and how many the filter holds. ``year`` keeps those received from 1
    January of that year on, as the dashboard's table counts them."""
    if not principal.can("tip.intake"):
        raise Forbidden()
    conditions = [_scoped(principal)]
    if status in rules.STATUSES:
        conditions.append(Tip.status == status)
    if channel in rules.CHANNEL_LABELS:
        conditions.append(Tip.channel == channel)
    if year is not None and 1990 <= year <= 2100:
        conditions.append(Tip.received_on >= date(year, 1, 1))
    query = Tip.select(*PUBLIC_FIELDS, Tip.agency.name.as_alias("agency_name"))
    count = Tip.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    query = (
        query.order_by(OrderByRaw("CASE WHEN status = 'received' THEN 0 ELSE 1 END"))
        .order_by(Tip.due_on)
        .limit(limit)
    )
    today = clock.today()
    return [_out(row, today) for row in await query], await count


def _out(row: Mapping[str, Any], today: date, **detail: Any) -> TipOut:
    return TipOut(
        id=int(row["id"]),
        code=str(row["code"]),
        agency=int(row["agency"]),
        agency_name=str(row["agency_name"]),
        channel=str(row["channel"]),
        kind=str(row["kind"]),
        subject_name=str(row["subject_name"] or ""),
        subject_tax_code=str(row["subject_tax_code"] or ""),
        content=str(row["content"] or ""),
        place=str(row["place"] or ""),
        happened=str(row["happened"] or ""),
        anonymous=bool(row["anonymous"]),
        status=str(row["status"]),
        received_on=row["received_on"],
        due_on=row["due_on"],
        decided_on=row["decided_on"],
        decision_reason=str(row["decision_reason"] or ""),
        forwarded_to=str(row["forwarded_to"] or ""),
        letter_no=str(row["letter_no"] or ""),
        inspection=stored_id(row["inspection"]),
        handler=stored_id(row["handler"]),
        created_by=stored_id(row["created_by"]),
        decided_by=stored_id(row["decided_by"]),
        version=int(row["version"]),
        created_at=row["created_at"],
        overdue=row["status"] == "received" and row["due_on"] < today,
        days_left=(row["due_on"] - today).days,
        **detail,
    )


async def get_tip(principal: Principal, tip_id: int) -> TipOut:
    """One tip in scope, without its sender's identity; ``identity_allowed`` says whether
    this user may ask to see it."""
    if not principal.can("tip.intake"):
        raise Forbidden()
    row = (
        await Tip.select(
            *PUBLIC_FIELDS,
            Tip.agency.name.as_alias("agency_name"),
            Tip.handler.full_name.as_alias("handler_name"),
            Tip.decided_by.full_name.as_alias("decided_by_name"),
            Tip.inspection.code.as_alias("inspection_code"),
        )
        .where((Tip.id == tip_id) & _scoped(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    files = await TipFile.select(
        TipFile.id, TipFile.filename, TipFile.content_type, TipFile.size
    ).where(TipFile.tip == tip_id)
    return _out(
        row,
        clock.today(),
        handler_name=str(row["handler_name"] or ""),
        decided_by_name=str(row["decided_by_name"] or ""),
        inspection_code=str(row["inspection_code"] or ""),
        identity_allowed=not row["anonymous"]
        and rules.identity_visible(row["kind"], principal.role, row["handler"] == principal.id),
        files=tuple(_file_out(file) for file in files),
    )


def _file_out(row: Mapping[str, Any]) -> TipFileOut:
    return TipFileOut(
        int(row["id"]), str(row["filename"]), str(row["content_type"]), int(row["size"])
    )


async def reveal_identity(principal: Principal, tip_id: int, ip: str = "") -> dict[str, str]:
    """Who sent a tip, for those allowed; the view is audited (without the identity)."""
    tip = await get_tip(principal, tip_id)
    if not tip.identity_allowed:
        raise Forbidden()
    row = await Tip.select(
        Tip.contact_name, Tip.contact_phone, Tip.contact_email, Tip.contact_address
    ).where(Tip.id == tip_id)
    await audit.record(
        "tip_identity_view",
        actor=principal,
        entity_type="tip",
        entity_id=tip_id,
        agency_id=tip.agency,
        after={"code": tip.code},
        ip=ip,
    )
    return dict(row[0])


async def tip_file(principal: Principal, tip_id: int, file_id: int) -> tuple[TipFileOut, Path]:
    """A file of a tip in scope, and where its content lies."""
    await get_tip(principal, tip_id)
    row = await TipFile.select().where((TipFile.id == file_id) & (TipFile.tip == tip_id)).first()
    if row is None:
        raise NotFound()
    return _file_out(row), _file_dir() / row["storage_name"]


async def tip_of_case(inspection_id: int) -> TipLink | None:
    """The tip a case was opened from or joined, if any."""
    row = (
        await Tip.select(Tip.id, Tip.code, Tip.status)
        .where(Tip.inspection == inspection_id)
        .first()
    )
    return None if row is None else TipLink(int(row["id"]), str(row["code"]), str(row["status"]))


# --------------------------------------------------------------------------- decisions


async def take(principal: Principal, tip_id: int, version: int | None, ip: str = "") -> None:
    """Become the officer handling a tip (leads and heads)."""
    if not principal.can("tip.triage"):
        raise Forbidden()
    tip = await get_tip(principal, tip_id)
    if tip.status != "received":
        raise Conflict(MSG_DECIDED, code="tip_decided")
    await _update(tip, version, {Tip.handler: principal.id})
    await audit.record(
        "tip_take",
        actor=principal,
        entity_type="tip",
        entity_id=tip_id,
        agency_id=tip.agency,
        after={"code": tip.code, "handler": principal.full_name},
        ip=ip,
    )


async def _update(tip: TipOut, version: int | None, changes: dict[Any, Any]) -> None:
    if version is not None and version != tip.version:
        raise Conflict(MSG_STALE, code="stale")
    changed = (
        await Tip.update(
            {**changes, Tip.version: Tip.version + 1, Tip.updated_at: datetime.now(UTC)}
        )
        .where((Tip.id == tip.id) & (Tip.version == tip.version))
        .returning(Tip.id)
    )
    if not changed:
        raise Conflict(MSG_STALE, code="stale")


@dataclass(frozen=True)
class TipDecision:
    """What a decision says besides its outcome: the reason of a rejection, where a tip
    was forwarded and by which letter, the case it joins, the title and subject of the
    case an acceptance opens (both optional: the tip's own by default)."""

    reason: str = ""
    forwarded_to: str = ""
    letter_no: str = ""
    inspection_id: int | None = None
    title: str = ""
    subject_name: str = ""


# The fields of a decision each outcome reads.
DECISION_FIELDS = {
    "rejected": ("reason",),
    "forwarded": ("forwarded_to", "letter_no"),
    "attached": ("inspection_id",),
    "accepted": ("title", "subject_name"),
}


def decision_request(data: Mapping[str, Any]) -> tuple[TipDecision, Errors]:
    """A decision as the tip page's form gives it, with the problem of a case number that
    could not be read (pass it as ``unread``; only an attachment reads it)."""
    errors = Errors()
    inspection_id = record_id(data, "inspection_id", errors)
    decision = TipDecision(
        **{
            key: str(data.get(key) or "")
            for key in ("reason", "forwarded_to", "letter_no", "title", "subject_name")
        },
        inspection_id=inspection_id,
    )
    return decision, errors


def _decision_values(
    outcome: str, decision: TipDecision, unread: Mapping[str, str] | None
) -> tuple[dict[Any, Any], int | None, Errors]:
    """The columns a decision writes, the case it joins, and its problems."""
    errors = Errors()
    data = vars(decision)
    changes: dict[Any, Any] = {}
    inspection_id: int | None = None
    if outcome == "rejected":
        changes[Tip.decision_reason] = text(data, "reason", errors, max_length=5_000, required=True)
    elif outcome == "forwarded":
        changes[Tip.forwarded_to] = text(
            data, "forwarded_to", errors, max_length=255, required=True, single_line=True
        )
        changes[Tip.letter_no] = text(
            data, "letter_no", errors, max_length=64, required=True, single_line=True
        )
    elif outcome == "attached":
        inspection_id = record_id(data, "inspection_id", errors)
        if inspection_id is None and "inspection_id" not in errors:
            errors["inspection_id"] = "This field is required."
    # What a form could not read counts for the fields this outcome reads, not the others.
    unread = unread or {}
    errors.update({key: unread[key] for key in DECISION_FIELDS.get(outcome, ()) if key in unread})
    return changes, inspection_id, errors


async def decide(
    principal: Principal,
    tip_id: int,
    outcome: str,
    decision: TipDecision,
    version: int | None,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> TipOut:
    """Accept (a new ad-hoc case), attach (to a case under way), forward or reject a tip;
    InvalidInput names every field the outcome needs and is missing (with ``unread``, the
    case number a form could not read)."""
    if not principal.can("tip.triage"):
        raise Forbidden()
    tip = await get_tip(principal, tip_id)
    try:
        rules.decide(tip.status, outcome)
    except rules.IllegalDecision as refused:
        raise Conflict(MSG_DECIDED, code="tip_decided") from refused
    changes, inspection_id, errors = _decision_values(outcome, decision, unread)
    changes.update(
        {Tip.status: outcome, Tip.decided_on: clock.today(), Tip.decided_by: principal.id}
    )
    if tip.handler is None:
        changes[Tip.handler] = principal.id
    errors.raise_if_any()
    # One unit of work: the subject and the case an accepted tip opens, the tip's decision
    # (version-checked) and its audit row commit together, or nothing does (a concurrent
    # decision leaves no case behind).
    async with unit_of_work():
        if outcome == "attached":
            assert inspection_id is not None
            case = await _open_case(principal, inspection_id)
            if case is None:
                raise InvalidInput({"inspection_id": MSG_CASE_CLOSED})
        if outcome == "accepted":
            from inspect_app.services.inspections import create_inspection

            data = vars(decision)
            title = text(data, "title", errors, max_length=1000) or _default_title(tip)
            subject_name = (
                text(data, "subject_name", errors, max_length=500, single_line=True)
                or tip.subject_name
            )
            if not subject_name and "subject_name" not in errors:
                errors["subject_name"] = MSG_SUBJECT_NEEDED
            errors.raise_if_any()
            subject_id = await _subject_for(principal, subject_name, tip.subject_tax_code, ip)
            created = await create_inspection(
                principal,
                {
                    "agency_id": tip.agency,
                    "title": title,
                    "origin": "ad_hoc",
                    "origin_source": rules.origin_source(tip.kind, tip.channel),
                    "origin_ref": tip.code,
                    "kind": "inspection",
                    "subject_ids": [subject_id],
                },
                ip,
            )
            inspection_id = created.id
        if inspection_id is not None:
            changes[Tip.inspection] = inspection_id
        await _update(tip, version, changes)
        await audit.record(
            f"tip_{outcome}",
            actor=principal,
            entity_type="tip",
            entity_id=tip_id,
            agency_id=tip.agency,
            after={
                "code": tip.code,
                "status": outcome,
                "inspection_id": inspection_id,
                "reason": changes.get(Tip.decision_reason, ""),
                "forwarded_to": changes.get(Tip.forwarded_to, ""),
                "letter_no": changes.get(Tip.letter_no, ""),
            },
            ip=ip,
        )
    return await get_tip(principal, tip_id)


async def _subject_for(principal: Principal, name: str, tax_code: str, ip: str) -> int:
    """The subject a case opened from a tip is about: found by tax code, else created."""
    from inspect_app.services.subjects import create_subject

    if tax_code:
        found = await Subject.select(Subject.id).where(Subject.tax_code == tax_code).first()
        if found is not None:
            return int(found["id"])
    asked = SubjectCreate(
        kind="enterprise" if tax_code else "organization", name=name, tax_code=tax_code or None
    )
    return (await create_subject(principal, asked, ip)).id


def _default_title(tip: TipOut) -> str:
    subject = tip.subject_name or tip.place
    base = f"Thanh tra đột xuất theo phản ánh {tip.code}"
    return f"{base}: {subject}"[:1000] if subject else base


async def _open_case(principal: Principal, inspection_id: int) -> dict[str, Any] | None:
    return (
        await Inspection.select(Inspection.id, Inspection.status)
        .where(
            (Inspection.id == inspection_id)
            & Inspection.agency.path.like(principal.scope_pattern)
            & Inspection.deleted_at.is_null()
            & Inspection.status.not_in(["closed", "cancelled"])
        )
        .first()
    )


# --------------------------------------------------------------------------- figures


async def counts(
    principal: Principal, start: date | None = None, end: date | None = None
) -> dict[str, dict[str, int]]:
    """Tips received in scope (between ``start`` and ``end`` when given), by channel and
    status: {"hotline": {"received": 3, "accepted": 1}, ...}."""
    return await _counts(principal.scope_pattern, start, end)


async def agency_counts(agency_id: int, start: date, end: date) -> dict[str, dict[str, int]]:
    """Tips received by an agency's subtree in a period, by channel and status (the report)."""
    path = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
    if path is None:
        return {}
    return await _counts(path["path"] + "%", start, end)


async def _counts(
    path_pattern: str, start: date | None, end: date | None
) -> dict[str, dict[str, int]]:
    query = (
        Tip.select(Tip.channel, Tip.status, Count(Tip.id).as_alias("n"))
        .where(Tip.agency.path.like(path_pattern))
        .group_by(Tip.channel, Tip.status)
    )
    if start is not None:
        query = query.where(Tip.received_on >= start)
    if end is not None:
        query = query.where(Tip.received_on <= end)
    found: dict[str, dict[str, int]] = {}
    for row in await query:
        found.setdefault(row["channel"], {})[row["status"]] = int(row["n"])
    return found


async def handler_options(principal: Principal) -> list[tuple[int, str]]:
    """Leads and heads of the agencies in scope (who may handle a tip)."""
    rows = await AppUser.select(AppUser.id, AppUser.full_name).where(
        AppUser.agency.path.like(principal.scope_pattern)
        & AppUser.role.is_in(["lead", "head"])
        & (AppUser.active == True)  # noqa: E712
    )
    return [(int(row["id"]), row["full_name"]) for row in rows]
