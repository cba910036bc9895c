"""The hash-chained audit log: every change recorded, tampering found by `audit verify`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inspect_app.schemas.admin import AuditChange
from inspect_app.services import audit
from models.tables import AuditEvent

PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def _three_rows() -> list[int]:
    await audit.record("create", username="a", entity_type="agency", entity_id=1, after={"n": 1})
    await audit.record(
        "update",
        username="b",
        entity_type="agency",
        entity_id=1,
        before={"n": 1},
        after={"n": 2},
    )
    await audit.record("login", username="c", entity_type="user", entity_id=7)
    return [row["id"] for row in await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id)]


def _cli_verify() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspect_app.cli", "audit", "verify"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_an_intact_chain_verifies(db: str) -> None:
    ids = await _three_rows()
    report = await audit.verify_chain()
    assert report.ok
    assert report.rows == 3
    last = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.id == ids[-1]).first()
    assert last is not None and report.head_hash == last["hash"]
    result = _cli_verify()
    assert result.returncode == 0
    assert "Audit log intact: 3 rows" in result.stdout


async def test_an_edited_row_is_reported_by_its_id(db: str) -> None:
    ids = await _three_rows()
    await AuditEvent.update({AuditEvent.after: '{"n": 3}'}).where(AuditEvent.id == ids[1])
    report = await audit.verify_chain()
    assert not report.ok
    assert report.first_bad_id == ids[1]
    assert report.problem == "this row was altered"
    result = _cli_verify()
    assert result.returncode == 1
    assert f"Audit log broken at row {ids[1]}: this row was altered" in result.stderr


async def test_a_deleted_row_is_reported_at_the_row_after_it(db: str) -> None:
    ids = await _three_rows()
    await AuditEvent.delete().where(AuditEvent.id == ids[1])
    report = await audit.verify_chain()
    assert not report.ok
    assert report.first_bad_id == ids[2]
    assert report.problem == "a row before this one was deleted or altered"
    result = _cli_verify()
    assert result.returncode == 1
    assert f"Audit log broken at row {ids[2]}" in result.stderr


async def test_a_deleted_row_is_found_even_when_the_next_row_is_relinked(db: str) -> None:
    ids = await _three_rows()
    first = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.id == ids[0]).first()
    assert first is not None
    # Covering the tracks: the middle row goes, and the next row's link is rewritten to
    # the row before it, so that every prev_hash matches the hash of the row before. Only
    # a hash that covers the previous hash still shows that the third row was linked to
    # another one when it was written.
    await AuditEvent.delete().where(AuditEvent.id == ids[1])
    await AuditEvent.update({AuditEvent.prev_hash: first["hash"]}).where(AuditEvent.id == ids[2])
    report = await audit.verify_chain()
    assert not report.ok
    assert report.first_bad_id == ids[2]
    assert report.problem == "this row was altered"
    result = _cli_verify()
    assert result.returncode == 1
    assert f"Audit log broken at row {ids[2]}: this row was altered" in result.stderr


async def test_a_rewritten_link_alone_is_found(db: str) -> None:
    ids = await _three_rows()
    await AuditEvent.update({AuditEvent.prev_hash: "f" * 64}).where(AuditEvent.id == ids[1])
    report = await audit.verify_chain()
    assert (report.ok, report.first_bad_id) == (False, ids[1])
    assert report.problem == "a row before this one was deleted or altered"


async def test_an_edited_actor_or_time_is_found_too(db: str) -> None:
    ids = await _three_rows()
    await AuditEvent.update({AuditEvent.username: "someone else"}).where(AuditEvent.id == ids[0])
    assert (await audit.verify_chain()).first_bad_id == ids[0]


def test_changes_list_only_the_fields_that_differ() -> None:
    before = {"name": "Cũ", "code": "A", "version": 1}
    after = {"name": "Mới", "code": "A", "version": 2, "active": False}
    assert audit.changes(before, after) == [
        AuditChange(field="active", before=None, after=False),
        AuditChange(field="name", before="Cũ", after="Mới"),
    ]
    assert audit.changes(None, {"name": "Mới"}) == [
        AuditChange(field="name", before=None, after="Mới")
    ]
    # Two values that are not snapshots: one change without a field, or none when equal.
    assert audit.changes("a", "b") == [AuditChange(field="", before="a", after="b")]
    assert audit.changes("a", "a") == []
