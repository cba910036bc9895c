"""The append-only, hash-chained audit log.

Each row's ``hash`` is SHA-256 over the previous row's hash and the row's own content in a
canonical JSON form, so editing or deleting a row breaks the chain from that row on;
``inspect-app audit verify`` walks the chain and names the first row that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from inspect_app.db import engine, is_postgres, write_transaction
from inspect_app.principal import Principal
from inspect_app.schemas.admin import AuditChange, AuditEntry
from inspect_app.services.casework import stored_instant
from models.tables import Agency, AppUser, AuditEvent

# Arbitrary constant naming the advisory lock that serialises appends to the chain.
AUDIT_LOCK_KEY = 727_001
GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Stable JSON text: sorted keys, dates and decimals as strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The chain hash of one row."""
    return hashlib.sha256((prev_hash + canonical_json(dict(content))).encode()).hexdigest()


def _content(
    at: datetime,
    user_id: int | None,
    username: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    agency_id: int | None,
    before: str,
    after: str,
    ip: str,
) -> dict[str, Any]:
    return {
        "at": _timestamp(at),
        "user_id": user_id,
        "username": username,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "agency_id": agency_id,
        "before": before,
        "after": after,
        "ip": ip,
    }


# On PostgreSQL the chain's head is read and the row appended in one statement after the
# lock (a statement after the lock sees every row committed before it): the hash is
# computed by the database from the same text ``row_hash`` hashes.
_APPEND_PG = (
    "WITH head AS (SELECT COALESCE("
    "(SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), {}) AS prev)"
    " INSERT INTO audit_event (at, user_id, username, action, entity_type, entity_id,"
    " agency_id, before, after, ip, prev_hash, hash)"
    " SELECT CAST({} AS TIMESTAMPTZ), CAST({} AS INTEGER), {}, {}, {}, CAST({} AS INTEGER),"
    " CAST({} AS INTEGER), CAST({} AS JSON), CAST({} AS JSON), {}, head.prev,"
    " encode(sha256(convert_to(head.prev || {}, 'UTF8')), 'hex') FROM head"
)


async def _append(content: dict[str, Any], at: datetime) -> None:
    if is_postgres():
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", AUDIT_LOCK_KEY)
        await AuditEvent.raw(
            _APPEND_PG,
            GENESIS_HASH,
            at,
            *(content[k] for k in ("user_id", "username", "action", "entity_type")),
            *(content[k] for k in ("entity_id", "agency_id", "before", "after", "ip")),
            canonical_json(content),
        )
        return
    # SQLite: the write transaction holds the database's only write lock already.
    last = await AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id, ascending=False).first()
    prev_hash = last["hash"] if last else GENESIS_HASH
    await AuditEvent.insert(
        AuditEvent(
            at=at,
            user_id=content["user_id"],
            username=content["username"],
            action=content["action"],
            entity_type=content["entity_type"],
            entity_id=content["entity_id"],
            agency_id=content["agency_id"],
            before=content["before"],
            after=content["after"],
            ip=content["ip"],
            prev_hash=prev_hash,
            hash=row_hash(prev_hash, content),
        )
    )


def snapshot(record: msgspec.Struct, *, leave_out: tuple[str, ...] = ()) -> dict[str, object]:
    """A record's fields by name, for the ``before`` and ``after`` of an audit row (written
    as canonical JSON, as the API writes the record); records nested in it (a case's
    deadlines and warnings) as dictionaries too, values left as they are."""
    kept = {name: _plain(value) for name, value in msgspec.structs.asdict(record).items()}
    for name in leave_out:
        del kept[name]
    return kept


def _plain(value: object) -> object:
    if isinstance(value, msgspec.Struct):
        return {name: _plain(item) for name, item in msgspec.structs.asdict(value).items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


async def record(
    action: str,
    *,
    actor: Principal | None = None,
    username: str | None = None,
    entity_type: str = "",
    entity_id: int | None = None,
    agency_id: int | None = None,
    before: Any = None,
    after: Any = None,
    ip: str = "",
) -> None:
    """Append one audit row; joins the caller's transaction so it commits with the change."""
    at = datetime.now(UTC)
    content = _content(
        at,
        actor.id if actor else None,
        actor.username if actor else (username or ""),
        action,
        entity_type,
        entity_id,
        agency_id,
        canonical_json(before),
        canonical_json(after),
        ip,
    )
    eng = engine()
    if eng.transaction_exists():
        await _append(content, at)
        return
    # Reads the chain's head, then appends: on SQLite the write lock must be taken at BEGIN,
    # or two sign-ins at once both read and one fails with "database is locked".
    async with write_transaction(changes_data=False):
        await _append(content, at)


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the chain."""

    rows: int
    ok: bool
    first_bad_id: int | None = None
    problem: str = ""
    head_hash: str = GENESIS_HASH


def _stored_json(value: Any) -> str:
    # Piccolo hands JSON columns back as text; re-canonicalise so whitespace cannot matter.
    parsed = json.loads(value) if isinstance(value, str) else value
    return canonical_json(parsed)


async def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the whole log in id order; report the first row that was altered or removed."""
    prev_hash = GENESIS_HASH
    last_id = 0
    rows = 0
    while True:
        batch = (
            await AuditEvent.select()
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        )
        if not batch:
            return ChainReport(rows=rows, ok=True, head_hash=prev_hash)
        for row in batch:
            rows += 1
            if row["prev_hash"] != prev_hash:
                return ChainReport(
                    rows=rows,
                    ok=False,
                    first_bad_id=row["id"],
                    problem="a row before this one was deleted or altered",
                )
            content = _content(
                row["at"],
                row["user_id"],
                row["username"],
                row["action"],
                row["entity_type"],
                row["entity_id"],
                row["agency_id"],
                _stored_json(row["before"]),
                _stored_json(row["after"]),
                row["ip"],
            )
            if row_hash(prev_hash, content) != row["hash"]:
                return ChainReport(
                    rows=rows, ok=False, first_bad_id=row["id"], problem="this row was altered"
                )
            prev_hash = row["hash"]
            last_id = row["id"]


def _parse(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def changes(before: Any, after: Any) -> list[AuditChange]:
    """The fields that differ between two snapshots, by field name."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return [] if before == after else [AuditChange(field="", before=before, after=after)]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    # Bookkeeping columns change on every write and say nothing to a reader.
    skip = {"version", "updated_at"}
    return [
        AuditChange(field=key, before=old.get(key), after=new.get(key))
        for key in sorted(old.keys() | new.keys())
        if key not in skip and old.get(key) != new.get(key)
    ]


HISTORY_FIELDS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.user_id,
    AuditEvent.username,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.agency_id,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.ip,
)


async def history(entity_type: str, entity_id: int, limit: int = 200) -> list[AuditEntry]:
    """The audit rows of one record, newest first (unscoped: for jobs and checks)."""
    rows = (
        await AuditEvent.select(*HISTORY_FIELDS)
        .where((AuditEvent.entity_type == entity_type) & (AuditEvent.entity_id == entity_id))
        .order_by(AuditEvent.id, ascending=False)
        .limit(limit)
    )
    return [history_out(row) for row in rows]


async def visible_history(
    principal: Principal,
    entity_type: str | None = None,
    entity_id: int | None = None,
    *,
    cursor: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Audit rows the caller may see, newest first (keyset before ``cursor``).

    Filtered to one record when ``entity_type``/``entity_id`` are given. A row is visible
    when its ``agency_id`` is in the caller's subtree; rows about nobody's agency (failed
    sign-ins of unknown usernames) are never shown here.
    """
    in_scope = Agency.select(Agency.id).where(Agency.path.like(principal.scope_pattern))
    query = AuditEvent.select(*HISTORY_FIELDS).where(AuditEvent.agency_id.is_in(in_scope))
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if cursor is not None:
        query = query.where(AuditEvent.id < cursor)
    rows = await query.order_by(AuditEvent.id, ascending=False).limit(limit)
    user_ids = {row["user_id"] for row in rows if row["user_id"] is not None}
    names = (
        {
            row["id"]: row["full_name"]
            for row in await AppUser.select(AppUser.id, AppUser.full_name).where(
                AppUser.id.is_in(list(user_ids))
            )
        }
        if user_ids
        else {}
    )
    return [history_out({**row, "full_name": names.get(row["user_id"], "")}) for row in rows]


def history_out(row: Mapping[str, Any]) -> AuditEntry:
    """An audit row (HISTORY_FIELDS with the author's ``full_name``, "" for someone who left:
    the username stays) as the history shows it: snapshots parsed, and what changed."""
    before, after = _parse(row["before"]), _parse(row["after"])
    user_id, entity_id, agency_id = row["user_id"], row["entity_id"], row["agency_id"]
    at = stored_instant(row["at"])
    assert at is not None  # NOT NULL
    return AuditEntry(
        id=int(row["id"]),
        at=at,
        user_id=None if user_id is None else int(user_id),
        username=str(row["username"] or ""),
        action=str(row["action"]),
        entity_type=str(row["entity_type"] or ""),
        entity_id=None if entity_id is None else int(entity_id),
        agency_id=None if agency_id is None else int(agency_id),
        before=before,
        after=after,
        changes=changes(before, after),
        ip=str(row["ip"] or ""),
        full_name=str(row.get("full_name") or ""),
    )
