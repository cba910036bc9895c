"""Imports of legacy workbooks as the pages, the API-less CLI and the jobs run them.

A run goes: ``queued`` (the file is stored, a dry run is asked for) -> ``checking`` ->
``checked`` (with its problems, maybe none) -> ``commit_queued`` -> ``writing`` ->
``committed``; a committed run may become ``rolled_back``; a run whose job failed is
``failed`` with the error. The job works a run while it holds its claim; the page polls the
run's progress (rows checked, rows written). The file stays under ``VAR_DIR/imports`` so
that the commit reads exactly the bytes that were checked (the SHA-256 is on the run).

Progress: the job keeps it in memory for this process and writes it to the run every half
second — except while it writes on SQLite, where its own transaction holds the only write
lock; the embedded default runs jobs in the web process, so the page reads the memory then.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import gc
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from inspect_app import clock
from inspect_app.db import is_postgres, refresh_statistics, stopped
from inspect_app.domain.clock import ClockInput, Deadlines, compute_deadlines
from inspect_app.domain.messages import N_, MessageId, bound, lazy
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.i18n import translate
from inspect_app.importing.mapping import RecordKind
from inspect_app.importing.plan import bad_rows, blocking_problems, build_plan
from inspect_app.importing.reader import WorkbookError, read_workbook
from inspect_app.importing.report import annotated_workbook
from inspect_app.importing.store import (
    WRITTEN_TABLES,
    RollbackRefused,
    existing_case_problems,
    rollback_run,
    write_plan,
)
from inspect_app.importing.validate import DryRun, Problem, dry_run
from inspect_app.principal import Principal
from inspect_app.services import agencies, audit
from inspect_app.services.casework import stored_id, stored_instant, stored_json
from inspect_app.services.unit_of_work import unit_of_work
from inspect_app.settings import get_settings
from models.tables import ImportRun

log = logging.getLogger(__name__)

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
PROBLEMS_KEPT = 5_000  # problems stored on the run (all of them go to the annotated copy)
CLAIM_S = 30 * 60  # a run's job holds it at most this long
PROGRESS_EVERY_S = 0.5
ACTIVE = ("queued", "checking", "commit_queued", "writing")

MSG_NO_FILE = N_("Choose a workbook (.xlsx, .xls or .ods).")
MSG_BAD_SUFFIX = N_("This file is not a workbook: only .xlsx, .xls and .ods files are read.")
MSG_TOO_BIG = N_("The workbook is larger than 50 MB; split it by year or by unit.")
MSG_NOT_CHECKED = N_("This import is not waiting for a commit.")
MSG_NOT_CLEAN = N_(
    "The dry run found problems: correct the workbook and upload it again, or commit"
    " leaving out the rows with problems."
)
MSG_BLOCKING = N_(
    "The dry run found problems that leaving rows out cannot get around (a missing sheet or"
    " column, an unknown agency): correct the workbook and upload it again."
)
MSG_NOT_COMMITTED = N_("Only a committed import can be rolled back.")
MSG_STALE = N_("This import changed meanwhile; the page shows it as it is now.")

# run id -> (rows checked, rows written), for the page of this process.
_live: dict[int, tuple[int, int]] = {}


def import_dir() -> Path:
    """Where uploaded workbooks are kept while their import needs them."""
    path = get_settings().var_dir / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def deadlines_of(inp: ClockInput) -> Deadlines:
    """The legal clock with the rules and holidays the application uses."""
    from inspect_app.services.inspections import RULES, holiday_calendar

    return compute_deadlines(inp, RULES, holiday_calendar())


# --------------------------------------------------------------------------- reading runs


def _problem_json(problem: Problem) -> list[Any]:
    """A problem as stored: where, the message id, and the values it was bound to (a value
    that is itself a message id is kept as such, to be translated when shown)."""
    values = getattr(problem.message, "values", {}) or {}
    kept = {
        name: {"message": str(value)} if isinstance(value, MessageId) else str(value)
        for name, value in values.items()
    }
    return [problem.sheet, problem.row, problem.column, str(problem.message), kept]


def _problem(item: list[Any]) -> Problem:
    sheet, row, column, message, values = item
    named = {
        name: lazy(value["message"]) if isinstance(value, dict) else value
        for name, value in values.items()
    }
    return Problem(sheet, row, column, bound(message, **named) if named else message)


@dataclass(frozen=True, slots=True)
class ImportRunRecord:
    """One run as the pages, the job and the command read it.

    ``summary`` is what the commit did per record kind (kind -> outcome -> count, empty
    before the commit); the column also keeps, beside it, the dry run's count of ``blocking``
    problems, the rows the commit left out (``skipped_rows``) and the days its records touch
    (``dates``, for the totals). ``problems`` are those kept on the run (none in a listing);
    ``rows_checked`` and ``rows_written`` include the progress this process's job holds in
    memory, ``percent`` is the progress of the current step, ``active`` while a job works or
    waits for the run.
    """

    id: int
    agency_id: int
    agency_name: str
    user_id: int | None
    user_name: str | None
    file_name: str
    file_sha256: str
    stored_name: str
    status: str
    skip_bad_rows: bool
    rows_total: int
    rows_checked: int
    rows_written: int
    problem_count: int
    problems: tuple[Problem, ...]
    summary: dict[str, dict[str, int]]
    blocking: int
    skipped_rows: int
    dates: tuple[dt.date, ...]
    error: str
    version: int
    created_at: datetime | None
    checked_at: datetime | None
    committed_at: datetime | None
    rolled_back_at: datetime | None
    percent: int
    active: bool


def stored_problems(run: ImportRunRecord) -> list[Problem]:
    """The problems kept on a run."""
    return list(run.problems)


def _out(row: Mapping[str, Any]) -> ImportRunRecord:
    stored_summary: dict[str, Any] = stored_json(row["summary"]) or {}
    checked, written = _live.get(int(row["id"]), (0, 0))
    rows_checked = max(int(row["rows_checked"]), checked)
    rows_written = max(int(row["rows_written"]), written)
    total = int(row["rows_total"])
    status = str(row["status"])
    if status in ("queued", "checking"):
        percent = 100 * rows_checked // total if total else 0
    elif status in ("commit_queued", "writing"):
        percent = 100 * rows_written // total if total else 0
    else:
        percent = 100
    return ImportRunRecord(
        id=int(row["id"]),
        agency_id=int(row["agency"]),
        agency_name=str(row["agency_name"]),
        user_id=stored_id(row["user"]),
        user_name=None if row["user_name"] is None else str(row["user_name"]),
        file_name=str(row["file_name"]),
        file_sha256=str(row["file_sha256"]),
        stored_name=str(row["stored_name"]),
        status=status,
        skip_bad_rows=bool(row["skip_bad_rows"]),
        rows_total=total,
        rows_checked=rows_checked,
        rows_written=rows_written,
        problem_count=int(row["problem_count"]),
        problems=tuple(_problem(item) for item in stored_json(row["problems"]) or []),
        summary={
            kind: {str(outcome): int(n) for outcome, n in counts.items()}
            for kind, counts in stored_summary.items()
            if kind != "blocking" and not kind.startswith("_")
        },
        blocking=int(stored_summary.get("blocking") or 0),
        skipped_rows=int((stored_summary.get("_skipped_rows") or {}).get("rows") or 0),
        dates=tuple(dt.date.fromisoformat(day) for day in stored_summary.get("_dates", [])),
        error=str(row["error"]),
        version=int(row["version"]),
        created_at=stored_instant(row["created_at"]),
        checked_at=stored_instant(row["checked_at"]),
        committed_at=stored_instant(row["committed_at"]),
        rolled_back_at=stored_instant(row["rolled_back_at"]),
        percent=min(percent, 100),
        active=status in ACTIVE,
    )


async def _row(run_id: int) -> dict[str, Any] | None:
    return (
        await ImportRun.select(
            *ImportRun.all_columns(),
            ImportRun.agency.name.as_alias("agency_name"),
            ImportRun.agency.path.as_alias("agency_path"),
            ImportRun.user.full_name.as_alias("user_name"),
        )
        .where(ImportRun.id == run_id)
        .first()
    )


async def _run(run_id: int) -> ImportRunRecord | None:
    row = await _row(run_id)
    return None if row is None else _out(row)


async def get_run(principal: Principal, run_id: int) -> ImportRunRecord:
    """One run in the user's scope (404 outside it)."""
    if not principal.can("import.run"):
        raise Forbidden()
    row = await _row(run_id)
    if row is None or not principal.sees_path(row["agency_path"]):
        raise NotFound()
    return _out(row)


async def list_runs(principal: Principal, limit: int = 50) -> list[ImportRunRecord]:
    """The latest runs of the agencies in scope, newest first."""
    if not principal.can("import.run"):
        raise Forbidden()
    rows = (
        await ImportRun.select(
            *ImportRun.all_columns(exclude=[ImportRun.problems]),
            ImportRun.agency.name.as_alias("agency_name"),
            ImportRun.user.full_name.as_alias("user_name"),
        )
        .where(ImportRun.agency.path.like(principal.scope_pattern))
        .order_by(ImportRun.id, ascending=False)
        .limit(limit)
    )
    return [_out({**row, "problems": "[]"}) for row in rows]


# --------------------------------------------------------------------------- starting


def _check_upload(file_name: str, content: bytes) -> None:
    if not file_name or not content:
        raise InvalidInput({"file": MSG_NO_FILE})
    if not file_name.lower().endswith(WORKBOOK_SUFFIXES):
        raise InvalidInput({"file": MSG_BAD_SUFFIX})
    if len(content) > MAX_WORKBOOK_BYTES:
        raise InvalidInput({"file": MSG_TOO_BIG})


async def start_import(
    principal: Principal, agency_id: int | None, file_name: str, content: bytes, ip: str = ""
) -> ImportRunRecord:
    """Store an uploaded workbook and queue its dry run; the run as the page shows it."""
    if not principal.can("import.run"):
        raise Forbidden()
    if agency_id is None:
        raise InvalidInput({"agency_id": "Choose an agency."})
    await agencies.get_visible(principal, agency_id)
    file_name = Path(file_name.replace("\\", "/")).name[:200]
    _check_upload(file_name, content)
    run_id = await create_run(agency_id, principal.id, file_name, content)
    await audit.record(
        "import_upload",
        actor=principal,
        entity_type="import_run",
        entity_id=run_id,
        agency_id=agency_id,
        after={"file_name": file_name, "sha256": hashlib.sha256(content).hexdigest()},
        ip=ip,
    )
    await enqueue_run(run_id)
    return await get_run(principal, run_id)


async def create_run(
    agency_id: int, user_id: int | None, file_name: str, content: bytes, status: str = "queued"
) -> int:
    """Keep the file and register its run (also used by the command)."""
    suffix = Path(file_name).suffix.lower()
    stored = f"{uuid.uuid4().hex}{suffix}"
    await asyncio.to_thread((import_dir() / stored).write_bytes, content)
    rows = await ImportRun.insert(
        ImportRun(
            agency=agency_id,
            user=user_id,
            file_name=file_name,
            file_sha256=hashlib.sha256(content).hexdigest(),
            stored_name=stored,
            status=status,
        )
    ).returning(ImportRun.id)
    return int(rows[0]["id"])


async def enqueue_run(run_id: int) -> None:
    """Ask for the run's job (the in-process scheduler or arq)."""
    from inspect_app.job_queue import enqueue_import

    await enqueue_import(run_id)


async def request_commit(
    principal: Principal, run_id: int, skip_bad_rows: bool, version: int | None, ip: str = ""
) -> ImportRunRecord:
    """Queue the commit of a checked run: clean, or with its bad rows left out."""
    run = await get_run(principal, run_id)
    if run.status != "checked":
        raise Conflict(MSG_NOT_CHECKED, code="import_not_checked")
    if version is not None and version != run.version:
        raise Conflict(MSG_STALE, code="stale")
    problems = stored_problems(run)
    if run.problem_count and not skip_bad_rows:
        raise InvalidInput({"skip_bad_rows": MSG_NOT_CLEAN})
    if any(p.row is None for p in problems) or run.blocking:
        raise InvalidInput({"skip_bad_rows": MSG_BLOCKING})
    updated = (
        await ImportRun.update(
            {
                ImportRun.status: "commit_queued",
                ImportRun.skip_bad_rows: skip_bad_rows,
                ImportRun.rows_written: 0,
                ImportRun.version: ImportRun.version + 1,
            }
        )
        .where((ImportRun.id == run_id) & (ImportRun.status == "checked"))
        .returning(ImportRun.id)
    )
    if not updated:
        raise Conflict(MSG_STALE, code="stale")
    await audit.record(
        "import_commit",
        actor=principal,
        entity_type="import_run",
        entity_id=run_id,
        agency_id=run.agency_id,
        after={"skip_bad_rows": skip_bad_rows},
        ip=ip,
    )
    await enqueue_run(run_id)
    return await get_run(principal, run_id)


async def rollback(principal: Principal, run_id: int, ip: str = "") -> ImportRunRecord:
    """Undo a committed run as a whole (refused once its records were worked on)."""
    run = await get_run(principal, run_id)
    if run.status != "committed":
        raise Conflict(MSG_NOT_COMMITTED, code="import_not_committed")
    try:
        summary = await rollback_committed(run_id, run.agency_id, principal)
    except RollbackRefused as refused:
        raise Conflict(refused.message, code="import_touched") from refused
    await audit.record(
        "import_rollback",
        actor=principal,
        entity_type="import_run",
        entity_id=run_id,
        agency_id=run.agency_id,
        after=summary,
        ip=ip,
    )
    return await get_run(principal, run_id)


async def rollback_committed(
    run_id: int, agency_id: int, actor: Principal | None = None
) -> dict[str, dict[str, int]]:
    """The rollback in one unit of work: records, run status, totals markers; what it did
    per record kind (kind -> outcome -> count)."""
    run = await _run(run_id)
    assert run is not None
    async with unit_of_work() as work:
        summary = await rollback_run(run_id, agency_id)
        changed = (
            await ImportRun.update(
                {
                    ImportRun.status: "rolled_back",
                    ImportRun.rolled_back_at: datetime.now(UTC),
                    ImportRun.version: ImportRun.version + 1,
                }
            )
            .where((ImportRun.id == run_id) & (ImportRun.status == "committed"))
            .returning(ImportRun.id)
        )
        if not changed:
            raise RollbackRefused(MSG_NOT_COMMITTED)
        await work.totals_changed(agency_id, list(run.dates))
        work.after_commit.append(partial(refresh_statistics, WRITTEN_TABLES, vacuum=False))
    return summary.as_json()


async def annotated_copy(principal: Principal, run_id: int) -> tuple[str, bytes]:
    """The workbook with every problem at its cell: (download name, bytes)."""
    run = await get_run(principal, run_id)
    path = import_dir() / run.stored_name
    if not run.stored_name or not path.exists():
        raise NotFound()
    problems = stored_problems(run)

    def build() -> bytes:
        content = path.read_bytes()
        sheets = read_workbook(path)
        return annotated_workbook(content, run.file_name, sheets, problems, "vi")

    content = await asyncio.to_thread(build)
    stem = Path(run.file_name).stem
    return f"{stem}-kiem-tra.xlsx", content


# --------------------------------------------------------------------------- the job


async def pending_run_ids() -> list[int]:
    """Runs waiting for their job, and those whose job died (claim run out)."""
    rows = await ImportRun.raw(
        "SELECT id FROM import_run WHERE status IN ('queued', 'commit_queued')"
        " OR (status IN ('checking', 'writing') AND (lease_until IS NULL OR lease_until < {}))"
        " ORDER BY id",
        datetime.now(UTC),
    )
    return [int(row["id"]) for row in rows]


async def _claim(run_id: int, token: str) -> ImportRunRecord | None:
    now = datetime.now(UTC)
    claimed = (
        await ImportRun.update(
            {ImportRun.claimed_by: token, ImportRun.lease_until: now + timedelta(seconds=CLAIM_S)}
        )
        .where(
            (ImportRun.id == run_id)
            & (
                ImportRun.status.is_in(["queued", "commit_queued"])
                | (
                    ImportRun.status.is_in(["checking", "writing"])
                    & (ImportRun.lease_until.is_null() | (ImportRun.lease_until < now))
                )
            )
        )
        .returning(ImportRun.id)
    )
    if not claimed:
        return None
    return await _run(run_id)


async def work_run(run_id: int) -> str:
    """Job: check or commit run ``run_id``, whichever it waits for; what happened."""
    token = uuid.uuid4().hex
    run = await _claim(run_id, token)
    if run is None:
        return "skipped"
    committing = run.status in ("commit_queued", "writing")
    await _set(run_id, token, status="writing" if committing else "checking")
    _live[run_id] = (0, 0)
    done = asyncio.Event()
    reporter = asyncio.create_task(
        _report_progress(run_id, token, done, skip_while_writing=committing and not is_postgres()),
        context=contextvars.Context(),
    )
    try:
        if committing:
            return await _commit(run, token)
        return await _check(run, token)
    except Exception as exc:
        log.exception("import run %s failed", run_id)
        await _set(run_id, token, status="failed", error=repr(exc)[:2000])
        return "failed"
    finally:
        done.set()  # not cancelled: see db.stopped
        await reporter
        await _flush_progress(run_id, token)
        _live.pop(run_id, None)


async def _set(run_id: int, token: str, **values: Any) -> None:
    changes = {getattr(ImportRun, name): value for name, value in values.items()}
    await ImportRun.update({**changes, ImportRun.version: ImportRun.version + 1}).where(
        (ImportRun.id == run_id) & (ImportRun.claimed_by == token)
    )


async def _flush_progress(run_id: int, token: str) -> None:
    checked, written = _live.get(run_id, (0, 0))
    await ImportRun.update(
        {ImportRun.rows_checked: checked, ImportRun.rows_written: written}
    ).where((ImportRun.id == run_id) & (ImportRun.claimed_by == token))


async def _report_progress(
    run_id: int, token: str, done: asyncio.Event, skip_while_writing: bool
) -> None:
    """Write the run's progress every PROGRESS_EVERY_S until ``done`` is set."""
    while not await stopped(done, PROGRESS_EVERY_S):
        if not skip_while_writing:
            with contextlib.suppress(Exception):
                await _flush_progress(run_id, token)


def _read(run: ImportRunRecord, progress: Callable[[RecordKind, int], None]) -> DryRun:
    """Read and check the stored file (in a worker thread: it is CPU work)."""
    path = import_dir() / run.stored_name
    sheets = read_workbook(path)
    return dry_run(sheets, clock.today(), "vi", progress=progress)


async def _checked(run: ImportRunRecord) -> DryRun:
    run_id = run.id
    counted = 0

    def progress(kind: RecordKind, rows: int) -> None:
        nonlocal counted
        counted += rows
        _live[run_id] = (counted, _live.get(run_id, (0, 0))[1])

    result = await asyncio.to_thread(_read, run, progress)
    result.problems += await existing_case_problems(result, run.agency_id)
    return result


async def _check(run: ImportRunRecord, token: str) -> str:
    run_id = run.id
    try:
        result = await _checked(run)
    except WorkbookError as error:
        await _set(
            run_id,
            token,
            status="checked",
            problem_count=1,
            problems=json.dumps([["", None, None, error.message, {}]]),
            checked_at=datetime.now(UTC),
        )
        return "checked"
    total = sum(len(rows) for rows in result.rows.values())
    _live[run_id] = (total, 0)
    await _set(
        run_id,
        token,
        status="checked",
        rows_total=total,
        rows_checked=total,
        problem_count=len(result.problems),
        problems=json.dumps(
            [_problem_json(p) for p in result.problems[:PROBLEMS_KEPT]], ensure_ascii=False
        ),
        summary=json.dumps({"blocking": len(blocking_problems(result))}),
        checked_at=datetime.now(UTC),
    )
    return "checked"


async def _commit(run: ImportRunRecord, token: str) -> str:
    run_id = run.id
    agency_id = run.agency_id
    result = await _checked(run)
    total = sum(len(rows) for rows in result.rows.values())
    blocking = blocking_problems(result)
    if blocking or (result.problems and not run.skip_bad_rows):
        # The data changed since the dry run (a case entered meanwhile): back to checked.
        await _set(
            run_id,
            token,
            status="checked",
            problem_count=len(result.problems),
            problems=json.dumps(
                [_problem_json(p) for p in result.problems[:PROBLEMS_KEPT]], ensure_ascii=False
            ),
            error=MSG_NOT_CLEAN,
        )
        return "checked"
    plan = build_plan(result, deadlines_of, bad_rows(result.problems))
    del result  # the plan holds what is written: the rows read go before the writing
    gc.collect()
    _live[run_id] = (total, 0)

    async def progress(written: int) -> None:
        _live[run_id] = (total, written)

    await _set(run_id, token, rows_total=len(plan), rows_checked=total)
    dates = sorted(plan.dates())
    async with unit_of_work() as work:
        summary = await write_plan(plan, run_id, agency_id, run.user_id, progress)
        body = summary.as_json()
        body["_skipped_rows"] = {"rows": plan.skipped_rows}
        changed = (
            await ImportRun.update(
                {
                    ImportRun.status: "committed",
                    ImportRun.committed_at: datetime.now(UTC),
                    ImportRun.rows_written: len(plan),
                    ImportRun.summary: json.dumps(
                        {**body, "_dates": [d.isoformat() for d in dates]}
                    ),
                    ImportRun.version: ImportRun.version + 1,
                }
            )
            .where((ImportRun.id == run_id) & (ImportRun.claimed_by == token))
            .returning(ImportRun.id)
        )
        if not changed:
            raise RuntimeError("The run was taken over by another job; nothing written.")
        await audit.record(
            "import_committed",
            username=run.user_name or "",
            entity_type="import_run",
            entity_id=run_id,
            agency_id=agency_id,
            after={"file_name": run.file_name, "sha256": run.file_sha256, **body},
        )
        await work.totals_changed(agency_id, dates)
        # Once committed: the planner learns of the new rows now, not when autovacuum comes.
        work.after_commit.append(partial(refresh_statistics, WRITTEN_TABLES))
    _live[run_id] = (total, len(plan))
    return "committed"


# --------------------------------------------------------------------------- the command


async def import_from_command(
    path: Path,
    agency_id: int,
    out: TextIO,
    skip_bad_rows: bool = False,
    lang: str = "vi",
    report_path: Path | None = None,
) -> int:
    """``inspect-app import FILE --agency CODE``: the same run as the pages, in this process,
    with a progress bar; 0 when committed, 1 when problems stopped it."""
    from inspect_app.importing.command import problem_line, progress_bar

    content = await asyncio.to_thread(path.read_bytes)
    run_id = await create_run(agency_id, None, path.name, content)
    watcher = asyncio.create_task(_print_progress(run_id, out, progress_bar))
    try:
        await work_run(run_id)
        run = await _run(run_id)
        assert run is not None
        problems = stored_problems(run)
        print(f"{run.rows_checked} rows checked, {run.problem_count} problems", file=out)
        for problem in problems:
            print(problem_line(problem, lang), file=out)
        if problems and report_path is not None:
            content = annotated_workbook(content, path.name, read_workbook(path), problems, lang)
            await asyncio.to_thread(report_path.write_bytes, content)
            print(f"annotated copy: {report_path}", file=out)
        if run.status != "checked" or run.blocking or (problems and not skip_bad_rows):
            print(translate(MSG_NOT_CLEAN if problems else MSG_BLOCKING, lang), file=out)
            return 1
        await ImportRun.update(
            {ImportRun.status: "commit_queued", ImportRun.skip_bad_rows: skip_bad_rows}
        ).where(ImportRun.id == run_id)
        if await work_run(run_id) != "committed":
            return 1
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    run = await _run(run_id)
    assert run is not None
    print(f"{progress_bar(1, 1)}  committed: import {run_id}", file=out)
    for kind, counts in run.summary.items():
        print(f"  {kind}: " + ", ".join(f"{n} {what}" for what, n in counts.items()), file=out)
    print(f"roll back with: inspect-app import-rollback {run_id}", file=out)
    return 0


async def _print_progress(run_id: int, out: TextIO, bar: Callable[[int, int], str]) -> None:
    shown = ""
    while True:
        await asyncio.sleep(PROGRESS_EVERY_S)
        checked, written = _live.get(run_id, (0, 0))
        line = (
            f"{bar(written, checked)}  {written}/{checked} written"
            if written
            else (f"{checked} rows checked")
        )
        if line != shown:
            print(line, file=out)
            shown = line


async def rollback_from_command(run_id: int, out: TextIO, lang: str = "vi") -> int:
    """``inspect-app import-rollback RUN``: 0 when rolled back, 1 when refused."""
    run = await _run(run_id)
    if run is None or run.status != "committed":
        print(translate(MSG_NOT_COMMITTED, lang), file=out)
        return 1
    try:
        summary = await rollback_committed(run_id, run.agency_id)
    except RollbackRefused as refused:
        print(translate(refused.message, lang), file=out)
        return 1
    print(f"rolled back: import {run_id}", file=out)
    for kind, counts in summary.items():
        print(f"  {kind}: " + ", ".join(f"{n} {what}" for what, n in counts.items()), file=out)
    return 0
