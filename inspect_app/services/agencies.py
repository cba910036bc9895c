"""Agencies: the tree, its materialised paths, and scope checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count

from inspect_app.db import is_postgres, write_transaction
from inspect_app.domain.text import has_control_characters
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.admin import Agency as AgencyOut
from inspect_app.schemas.admin import AgencyCreate, AgencyUpdate
from inspect_app.services import agency_documents, audit, reference_cache
from inspect_app.services.casework import Errors, ensure_id, whole_number
from inspect_app.services.changes import mark_every_period, mark_follow_up_figures
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Agency, AppUser

AGENCY_KINDS = (
    "province_inspectorate",
    "division",
    "department",
    "sub_department",
    "district",
    "commune",
    "other",
)
AGENCY_FIELDS = (
    Agency.id,
    Agency.code,
    Agency.name,
    Agency.kind,
    Agency.parent,
    Agency.path,
    Agency.depth,
    Agency.active,
    *agency_documents.COLUMNS,
    Agency.fine_approval_vnd,
    Agency.succeeded_by,
    Agency.succeeded_on,
    Agency.version,
)


def _out(row: Mapping[str, Any]) -> AgencyOut:
    parent, successor = row["parent"], row["succeeded_by"]
    documents = agency_documents.settings_of(row)
    return AgencyOut(
        id=int(row["id"]),
        code=str(row["code"]),
        name=str(row["name"]),
        kind=str(row["kind"]),
        parent_id=None if parent is None else int(parent),
        active=bool(row["active"]),
        version=int(row["version"]),
        path=str(row["path"]),
        depth=int(row["depth"]),
        doc_symbol=documents.symbol,
        parent_body=documents.parent_body,
        place_name=documents.place,
        head_title=documents.head_title,
        signer_name=documents.signer_name,
        signer_title=documents.signer_title,
        signing_form=documents.signing_form,
        recipients=list(documents.recipients),
        distribution=list(documents.distribution),
        fine_approval_vnd=int(row["fine_approval_vnd"] or 0),
        succeeded_by_id=None if successor is None else int(successor),
        succeeded_on=row["succeeded_on"],
    )


@dataclass(frozen=True)
class TreeAgency:
    """An agency as the tree page lists it: indented below its parent, with its users."""

    id: int
    code: str
    name: str
    kind: str
    active: bool
    indent: int
    users: int


async def get_visible(principal: Principal, agency_id: int) -> AgencyOut:
    """One agency in the caller's subtree; NotFound otherwise (existence is not revealed)."""
    ensure_id(agency_id)  # an id past 2^31 names no agency (the column is 32-bit)
    row = (
        await Agency.select(*AGENCY_FIELDS)
        .where((Agency.id == agency_id) & Agency.path.like(principal.scope_pattern))
        .first()
    )
    if row is None:
        raise NotFound()
    return _out(row)


async def subtree_path(principal: Principal, agency_id: int | None) -> str:
    """The path prefix to filter by: the given agency (checked in scope) or the caller's."""
    if agency_id is None:
        return principal.agency_path
    return (await get_visible(principal, agency_id)).path


async def list_visible(
    principal: Principal,
    *,
    cursor: int = 0,
    limit: int = 50,
    q: str | None = None,
    parent_id: int | None = None,
) -> list[AgencyOut]:
    """Agencies in scope, ordered by id (keyset after ``cursor``)."""
    query = Agency.select(*AGENCY_FIELDS).where(
        Agency.path.like(principal.scope_pattern) & (Agency.id > cursor)
    )
    if parent_id is not None:
        query = query.where(Agency.parent == parent_id)
    if q:
        pattern = f"%{q.strip().replace('%', '').replace('_', '')}%"
        if is_postgres():
            query = query.where(Agency.name.ilike(pattern) | Agency.code.ilike(pattern))
        else:  # SQLite has no ILIKE; its LIKE already ignores the case of ASCII letters
            query = query.where(Agency.name.like(pattern) | Agency.code.like(pattern))
    return [_out(row) for row in await query.order_by(Agency.id).limit(limit)]


async def tree(principal: Principal) -> list[TreeAgency]:
    """Every agency in scope (active or not) in tree order, with its indent and user count."""
    rows = await Agency.select(*AGENCY_FIELDS).where(Agency.path.like(principal.scope_pattern))
    counts = {
        row["agency"]: row["count"]
        for row in await AppUser.select(AppUser.agency, Count(AppUser.id).as_alias("count"))
        .where(AppUser.agency.path.like(principal.scope_pattern))
        .group_by(AppUser.agency)
    }
    base_depth = principal.agency_path.count("/") - 2
    rows.sort(key=lambda r: [int(p) for p in r["path"].strip("/").split("/")])
    return [
        TreeAgency(
            id=int(row["id"]),
            code=str(row["code"]),
            name=str(row["name"]),
            kind=str(row["kind"]),
            active=bool(row["active"]),
            indent=max(0, row["depth"] - base_depth),
            users=int(counts.get(row["id"], 0)),
        )
        for row in rows
    ]


async def tree_options(principal: Principal) -> Sequence[Mapping[str, Any]]:
    """Agencies in scope in tree order with their depth, for select boxes (shared, read-only,
    per process while the agencies are unchanged, services/reference_cache.py)."""

    async def load() -> list[dict[str, Any]]:
        rows = await Agency.select(Agency.id, Agency.name, Agency.depth, Agency.path).where(
            Agency.path.like(principal.scope_pattern) & (Agency.active == True)  # noqa: E712
        )
        base_depth = principal.agency_path.count("/") - 2
        rows.sort(key=lambda r: [int(p) for p in r["path"].strip("/").split("/")])
        for row in rows:
            row["indent"] = max(0, row["depth"] - base_depth)
        return rows

    options: Sequence[Mapping[str, Any]] = await reference_cache.shared(
        "agencies", ("tree", principal.agency_path), load
    )
    return options


def _validate(data: dict[str, Any], *, creating: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    code = str(data.get("code") or "").strip()
    name = str(data.get("name") or "").strip()
    if (creating or "code" in data) and (not code or len(code) > 32):
        errors["code"] = "Enter a code of 1 to 32 characters."
    if (creating or "name" in data) and (not name or len(name) > 255):
        errors["name"] = "Enter a name of 1 to 255 characters."
    for key, value in (("code", code), ("name", name)):
        if key not in errors and has_control_characters(value, single_line=True):
            errors[key] = "Remove the control characters from the text."
    if "kind" in data and data["kind"] not in AGENCY_KINDS:
        errors["kind"] = "Choose a kind from the list."
    if "active" in data and not isinstance(data["active"], bool):
        errors["active"] = "Choose yes or no."
    # A fine above this amount waits for a second person's approval (0 or blank: none does).
    threshold_errors = Errors()
    whole_number(data, "fine_approval_vnd", threshold_errors, money=True)
    errors.update(threshold_errors)
    parent_id = data.get("parent_id")
    # Only the root has no parent; an update may send the root's None back unchanged.
    if (creating or parent_id is not None) and (
        not isinstance(parent_id, int) or isinstance(parent_id, bool)
    ):
        errors["parent_id"] = "Choose the parent agency."
    return errors


def _threshold(data: dict[str, Any]) -> int | None:
    """The fine threshold sent (checked by ``_validate``; blank is 0), None when absent."""
    if "fine_approval_vnd" not in data:
        return None
    return whole_number(data, "fine_approval_vnd", Errors(), money=True) or 0


def _document_errors(data: dict[str, Any], current: AgencyOut | None, errors: Errors) -> None:
    """Name each document setting that could not head a document."""
    stored = msgspec.structs.asdict(current) if current is not None else {}
    for key, message in agency_documents.validation_errors(data, stored).items():
        errors.setdefault(key, message)


async def _visible_parent(principal: Principal, parent_id: int) -> AgencyOut:
    # A parent outside the caller's subtree is a bad choice in the form, not a missing page.
    try:
        return await get_visible(principal, parent_id)
    except NotFound as exc:
        raise InvalidInput({"parent_id": "Choose an agency from the list."}) from exc


async def create(
    principal: Principal,
    request: AgencyCreate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> AgencyOut:
    """Create an agency under a parent in the caller's scope; InvalidInput names every
    field at fault, with those the form could not read (``unread``)."""
    data, errors = Errors.of_request(
        request, partial(_validate, creating=isinstance(request, AgencyCreate)), unread
    )
    _document_errors(data, None, errors)
    errors.raise_if_any()
    code = request.code.strip()
    async with write_transaction():
        parent = await _visible_parent(principal, request.parent_id)
        if await Agency.exists().where(Agency.code == code):
            raise InvalidInput({"code": "This code is already used by another agency."})
        rows = await Agency.insert(
            Agency(
                code=code,
                name=request.name.strip(),
                kind=request.kind or "department",
                parent=parent.id,
                depth=parent.depth + 1,
                active=request.active,
            )
        ).returning(Agency.id)
        agency_id = rows[0]["id"]
        document_values = agency_documents.column_values(data)
        threshold = _threshold(data)
        if threshold is not None:
            document_values[Agency.fine_approval_vnd] = threshold
        if document_values:
            await Agency.update(document_values).where(Agency.id == agency_id)
        path = f"{parent.path}{agency_id}/"
        await Agency.update({Agency.path: path}).where(Agency.id == agency_id)
        created = await get_visible(principal, agency_id)
        await mark_follow_up_figures()
        await audit.record(
            "create",
            actor=principal,
            entity_type="agency",
            entity_id=agency_id,
            agency_id=agency_id,
            after=audit.snapshot(created),
            ip=ip,
        )
    return created


async def update(
    principal: Principal,
    agency_id: int,
    request: AgencyUpdate,
    ip: str = "",
    *,
    unread: Mapping[str, str] | None = None,
) -> AgencyOut:
    """Rename, re-code, (de)activate or move an agency; a stale version gets 409."""
    data, errors = Errors.of_request(
        request, partial(_validate, creating=isinstance(request, AgencyCreate)), unread
    )
    errors.raise_if_any()
    version = request.version
    async with unit_of_work() as work:
        if "parent_id" in data:
            await lock_tree()
        # A rename or a move changes the board's groups and the kept sums.
        await mark_follow_up_figures()
        before = await get_visible(principal, agency_id)
        merged = before.succeeded_by_id is not None
        new_parent = data.get("parent_id", before.parent_id)
        moves = new_parent != before.parent_id
        if merged and (moves or data.get("active") is True):
            # It stays below its successor, inactive: the successor's reports hold it.
            raise Conflict(
                "This agency merged into another: it stays below it, inactive.", code="merged"
            )
        _document_errors(data, before, errors)
        errors.raise_if_any()
        if before.version != version:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        if before.path == principal.agency_path and moves:
            raise Forbidden("You cannot move your own agency.")
        values: dict[Any, Any] = {
            Agency.version: before.version + 1,
            Agency.updated_at: datetime.now(UTC),
        }
        for key, column in (
            ("code", Agency.code),
            ("name", Agency.name),
            ("kind", Agency.kind),
            ("active", Agency.active),
        ):
            if key in data:
                values[column] = data[key].strip() if isinstance(data[key], str) else data[key]
        values.update(agency_documents.column_values(data))
        threshold = _threshold(data)
        if threshold is not None:
            values[Agency.fine_approval_vnd] = threshold
        if "code" in data and await Agency.exists().where(
            (Agency.code == data["code"].strip()) & (Agency.id != agency_id)
        ):
            raise InvalidInput({"code": "This code is already used by another agency."})
        if moves:
            await _move(principal, before, new_parent)
            # Its records now count in other subtrees: the totals of every period anew.
            await mark_every_period(agency_id)
            work.refresh_totals = True
        updated = (
            await Agency.update(values)
            .where((Agency.id == agency_id) & (Agency.version == version))
            .returning(Agency.id)
        )
        if not updated:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        after = await get_visible(principal, agency_id)
        await audit.record(
            "update",
            actor=principal,
            entity_type="agency",
            entity_id=agency_id,
            agency_id=agency_id,
            before=audit.snapshot(before),
            after=audit.snapshot(after),
            ip=ip,
        )
    return after


async def _move(principal: Principal, agency: AgencyOut, new_parent_id: int | None) -> None:
    if new_parent_id is None:
        raise InvalidInput({"parent_id": "Choose the parent agency."})
    parent = await _visible_parent(principal, int(new_parent_id))
    if parent.path.startswith(agency.path):
        raise InvalidInput({"parent_id": "An agency cannot be moved under itself."})
    await move_under(agency, parent)


# Arbitrary constant naming the advisory lock that serialises changes of the tree.
TREE_LOCK_KEY = 727_003


async def lock_tree() -> None:
    """Take the lock of the agency tree for this transaction (PostgreSQL): two moves or
    mergers at once must not read paths the other is rewriting."""
    if is_postgres():
        await Agency.raw("SELECT pg_advisory_xact_lock({})", TREE_LOCK_KEY)


async def move_under(agency: AgencyOut, parent: AgencyOut) -> None:
    """Move ``agency`` and its subtree under ``parent``, in the caller's transaction; the
    caller has checked both are in scope."""
    old_prefix = agency.path
    new_prefix = f"{parent.path}{agency.id}/"
    depth_shift = parent.depth + 1 - agency.depth
    await Agency.raw(
        "UPDATE agency SET path = {} || substr(path, {}), depth = depth + {} WHERE path LIKE {}",
        new_prefix,
        len(old_prefix) + 1,
        depth_shift,
        old_prefix + "%",
    )
    await Agency.update({Agency.parent: parent.id}).where(Agency.id == agency.id)
