"""One unit of work per write: the change, its audit row and the totals marker commit
together or not at all, and the refresh job is queued only after the commit."""

from __future__ import annotations

from typing import Any

import pytest

from inspect_app.schemas.cases import FindingCreate
from inspect_app.services import audit, findings, unit_of_work
from inspect_app.services.changes import DIRTY_PREFIX
from models.tables import Agency, AuditEvent, Finding, JobState
from tests.factories import concluded_case, make_subject

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]


async def _markers() -> int:
    return await JobState.count().where(JobState.name.like(f"{DIRTY_PREFIX}%"))


async def _case(people: dict[str, Any]) -> tuple[dict[str, Any], int]:
    subject = await make_subject()
    case = await concluded_case(people["lead"], [subject])
    await JobState.delete().where(JobState.name.like(f"{DIRTY_PREFIX}%"))
    return case, subject


def _finding(subject: int) -> FindingCreate:
    return FindingCreate(subject_id=subject, description="Chi sai chế độ", amount_vnd=5_000_000)


async def test_a_failure_inside_the_write_leaves_neither_the_change_nor_a_marker(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    case, subject = await _case(people)
    findings_before = await Finding.count()
    audits_before = await AuditEvent.count()

    async def failing_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(audit, "record", failing_audit)
    with pytest.raises(RuntimeError):
        await findings.create_finding(people["lead"].principal, case["id"], _finding(subject))
    assert await Finding.count() == findings_before
    assert await AuditEvent.count() == audits_before
    assert await _markers() == 0


async def test_a_crash_after_the_commit_still_leaves_the_marker_for_the_scan(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    case, subject = await _case(people)
    queued: list[str] = []

    async def lost_job() -> None:
        queued.append("refresh")
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(unit_of_work, "request_refresh", lost_job)
    with pytest.raises(ConnectionError):
        await findings.create_finding(people["lead"].principal, case["id"], _finding(subject))
    # The finding, its audit row and the markers of the periods it touches are committed.
    assert await Finding.count() == 1
    assert await _markers() > 0
    assert queued == ["refresh"]


async def test_the_refresh_is_queued_once_after_the_commit(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    case, subject = await _case(people)
    seen: list[int] = []

    async def refresh() -> None:
        # Queued after the commit: the change is visible from outside the transaction.
        seen.append(await Finding.count())

    monkeypatch.setattr(unit_of_work, "request_refresh", refresh)
    await findings.create_finding(people["lead"].principal, case["id"], _finding(subject))
    assert seen == [1]


async def test_a_marker_that_cannot_be_written_undoes_the_change(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_app.services import changes

    case, subject = await _case(people)

    def failing_marker(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("job_state is locked")

    # The markers' one statement fails, after the finding's row and its audit row are written.
    monkeypatch.setattr(changes.JobState, "raw", failing_marker)
    with pytest.raises(RuntimeError):
        await findings.create_finding(people["lead"].principal, case["id"], _finding(subject))
    # Before, the marker was written after the commit: the finding stayed, the totals never
    # heard of it until the nightly rebuild.
    assert await Finding.count() == 0


async def test_a_nested_unit_of_work_joins_the_outer_one_and_its_jobs_wait_for_it(
    db: str,
) -> None:
    ran: list[str] = []

    async def job() -> None:
        ran.append("job")

    async with unit_of_work.unit_of_work() as outer:
        async with unit_of_work.unit_of_work() as inner:
            assert inner is outer
            inner.after_commit.append(job)
        assert ran == []  # not at the inner exit: the outer has not committed yet
    assert ran == ["job"]  # once, after the outer commit


async def test_a_failure_after_a_nested_write_rolls_back_both(db: str) -> None:
    agency = await Agency.count()
    with pytest.raises(RuntimeError):
        async with unit_of_work.unit_of_work():
            async with unit_of_work.unit_of_work():
                await Agency.insert(Agency(code="LONG", name="Lồng nhau", path="/x/", depth=1))
            raise RuntimeError("after the nested write")
    assert await Agency.count() == agency
