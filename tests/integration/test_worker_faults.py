"""Faults: a worker killed with SIGKILL mid-job, Redis stopped while the app writes, and
Redis stopped under a running worker.

Each ends with the right result and nothing duplicated or lost: the database holds the
truth (unique notices, totals markers, the report's claim) and the jobs are safe to run
again; a killed worker's job is taken up within a minute; a worker outlives Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from openpyxl import load_workbook

from inspect_app.job_queue import close_pools
from inspect_app.principal import Principal
from inspect_app.services import report_runner, reports
from inspect_app.settings import get_settings
from jobs.totals import check_totals, dirty_periods
from models.tables import AppUser, Inspection, JobState, Notification, Report
from tests.conftest import app_client
from tests.integration.jobs_support import (
    build_jobs_world,
    burst_worker,
    close_worker,
    make_agency,
    notice_keys,
    project_env,
    run_jobs,
)
from tests.integration.report_dataset import build_world as build_report_world
from tests.services import ThrowawayRedis

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def _wait_for(path: Path, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(path.exists):
            return
        if process.poll() is not None:
            raise AssertionError(f"the worker exited early with code {process.returncode}")
        await asyncio.sleep(0.1)
    raise AssertionError("the worker never reached the middle of the job")


async def test_worker_killed_mid_job_is_finished_by_the_next_worker_without_duplicates(
    db: str, redis_url: str, tmp_path: Path
) -> None:
    w = await build_jobs_world()
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.enqueue_job("watch_deadlines", "2026-03-27", _job_id="fault-watch")
    finally:
        await pool.aclose()

    signal_file = tmp_path / "in-the-middle"
    log_path = tmp_path / "fault-worker.log"
    with log_path.open("wb") as log:
        # Popen, not asyncio's subprocess API: the test needs the plain pid to SIGKILL.
        worker = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "tests.integration.fault_worker"],
            cwd=PROJECT_ROOT,
            env=project_env() | {"FAULT_SIGNAL_FILE": str(signal_file), "FAULT_MODE": "deadlines"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            await _wait_for(signal_file, worker, timeout_s=60)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert worker.returncode == -signal.SIGKILL

    # Half done: the first rung's notices are there, the rest are not.
    partial = await Notification.count()
    assert 1 <= partial < 6, log_path.read_text(errors="replace")

    # A new worker takes the same job again once the dead worker's lease (30 s) runs out.
    started = time.monotonic()
    restarted = burst_worker(redis_url, poll_delay=0.5)
    try:
        await restarted.main()
    finally:
        await close_worker(restarted)
    assert restarted.jobs_complete == 1 and restarted.jobs_failed == 0
    assert time.monotonic() - started < 60

    case, measure = w.awaiting_conclusion, w.measure
    assert await notice_keys() == {
        (w.lead, "inspection", case, "conclusion", "overdue"),
        (w.member, "inspection", case, "conclusion", "overdue"),
        (w.head, "inspection", case, "conclusion", "escalate"),
        (w.lead, "measure", measure, "measure", "overdue"),
        (w.finance_lead, "measure", measure, "measure", "overdue"),
        (w.head, "measure", measure, "measure", "escalate"),
    }
    assert await Notification.count() == 6


# --------------------------------------------------------------------------- Redis outage


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(tmp_path)
    server.start()
    previous = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = server.url
    get_settings.cache_clear()
    try:
        yield server
    finally:
        server.stop()
        if previous is not None:
            os.environ["REDIS_URL"] = previous
        get_settings.cache_clear()


@pytest.fixture
async def fresh_pools() -> AsyncIterator[None]:
    await close_pools()
    yield
    await close_pools()


async def test_writes_succeed_while_redis_is_down_and_totals_converge_after(
    db: str, own_redis: ThrowawayRedis, fresh_pools: None
) -> None:
    from inspect_app.services import health
    from inspect_app.services.catalogues import ensure_catalogues
    from inspect_app.services.changes import record_change

    await ensure_catalogues()
    province = await make_agency("TTT", "Thanh tra tỉnh", None)
    division = await make_agency("NV1", "Phòng Nghiệp vụ 1", province)

    async def write_case(code: str, agency: int, announced: date) -> float:
        started = time.monotonic()
        await Inspection(
            code=code,
            agency=agency,
            title=f"Cuộc {code}",
            kind="inspection",
            decision_date=announced,
            announced_on=announced,
            status="onsite",
        ).save()
        await record_change(agency, [announced])
        return time.monotonic() - started

    await write_case("A-1", division, date(2026, 2, 3))
    await run_jobs(own_redis.url)
    assert await check_totals("2026-Q1") == []

    own_redis.stop()
    assert (await health.check_redis(get_settings())).startswith("error")
    took = [
        await write_case("B-1", division, date(2026, 4, 10)),
        await write_case("B-2", province, date(2026, 1, 20)),
        await write_case("B-3", division, date(2026, 7, 1)),
    ]
    # Every write succeeded, none waited long on the dead Redis.
    assert await Inspection.count() == 4
    assert max(took) < 5
    assert {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Y"} <= set(await dirty_periods())
    assert await check_totals("2026-Y") != []

    own_redis.start()
    # The queue came back empty (nothing was queued while Redis was down): the periodic
    # scan, as the worker's cron runs it every minute, catches up from the markers.
    await run_jobs(own_redis.url, ("refresh_dirty_totals", (), "scan-after-outage"))
    assert await dirty_periods() == []
    assert await check_totals() == []


# --------------------------------------------------------------------------- a report


@pytest.fixture
async def queued_report(db: str, redis_url: str) -> AsyncIterator[tuple[Principal, int]]:
    """The province's Q1 2026 report over the report dataset, queued on the test Redis."""
    world = await build_report_world()
    province = world["province"]
    user = AppUser(
        username="chanh-thanh-tra", full_name="Trần Thị Bình", role="head", agency=province
    )
    await user.save()
    head = Principal(int(user.id), user.username, user.full_name, "head", province, f"/{province}/")
    report = await reports.request_report(head, province, "2026-Q1")
    assert report.status == "queued"
    yield head, int(report.id)
    await close_pools()


async def test_a_report_whose_worker_was_killed_is_finished_once_by_the_next_worker(
    queued_report: tuple[Principal, int], tmp_path: Path
) -> None:
    head, report_id = queued_report
    signal_file = tmp_path / "in-the-middle"
    log_path = tmp_path / "fault-worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(  # noqa: ASYNC220 - the test needs the plain pid to SIGKILL
            [sys.executable, "-m", "tests.integration.fault_worker"],
            cwd=PROJECT_ROOT,
            env=project_env() | {"FAULT_SIGNAL_FILE": str(signal_file), "FAULT_MODE": "report"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            await _wait_for(signal_file, worker, timeout_s=90)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    stuck = await reports.get_report(head, report_id)
    assert (stuck.status, stuck.progress) == ("running", 70), log_path.read_text()

    # A new worker (the real command, in burst mode: it exits once the queue is empty).
    started = time.monotonic()
    next_log = tmp_path / "next-worker.log"
    with next_log.open("wb") as log:
        successor = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "inspect_app.cli", "worker", "--burst"],
            cwd=PROJECT_ROOT,
            env=project_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(successor.wait, 90)
        finally:
            if successor.poll() is None:
                successor.kill()
                successor.wait()
    output = next_log.read_text(errors="replace")
    assert successor.returncode == 0, output

    done = await reports.get_report(head, report_id)
    assert (done.status, done.progress, done.error) == ("done", 100, "")
    finished_after = (done.finished_at - done.started_at).total_seconds()
    assert time.monotonic() - started < 60, output
    assert finished_after < 60
    # Done once: one version step (queued 1 -> done 2), one run completed, one set of files.
    assert done.version == 2
    assert output.count("generate_report_job") >= 1
    assert output.count("● 'done'") == 1, output
    folder = report_runner.report_folder(report_id)
    # Every file of the revision, no temporary file left, each the one whose hash was recorded.
    assert sorted(p.name for p in folder.iterdir()) == sorted(report_runner.FILES.values())
    for key, name in report_runner.FILES.items():
        assert report_runner.file_sha256(folder / name) == done.sha256[key], key
    assert "01 Thanh tra" in load_workbook(folder / "report.xlsx").sheetnames
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    assert await Report.count() == 1


async def test_a_second_run_while_the_first_holds_the_report_does_nothing(
    queued_report: tuple[Principal, int],
) -> None:
    from inspect_app.services.report_runner import ReportBusy, generate_report

    head, report_id = queued_report
    first = asyncio.create_task(generate_report(report_id))

    async def running() -> bool:
        row = await Report.select(Report.status).where(Report.id == report_id).first()
        return row is not None and row["status"] == "running"

    await _eventually(running, 10, "the first run claiming the report")
    with pytest.raises(ReportBusy):
        await generate_report(report_id)
    assert await first == "done"
    # Done: a later run (a late retry of the job) leaves it alone.
    assert await generate_report(report_id) == "skipped"
    done = await reports.get_report(head, report_id)
    assert (done.status, done.version) == ("done", 2)


async def test_a_run_that_lost_its_claim_does_not_finish_the_report(
    queued_report: tuple[Principal, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker thought dead (its lease ran out) and the run that took over: one result."""
    from inspect_app.services import report_runner as runner

    head, report_id = queued_report
    original = runner._set_progress
    taken_over = asyncio.Event()

    async def stall_at_80(rid: int, token: str, progress: int, callback: Any) -> None:
        await original(rid, token, progress, callback)
        if progress == 80 and not taken_over.is_set():
            # The lease runs out meanwhile and another run takes the report and finishes.
            await Report.update({Report.lease_until: datetime.now(UTC)}).where(Report.id == rid)
            taken_over.set()
            monkeypatch.setattr(runner, "_set_progress", original)
            assert await runner.generate_report(rid) == "done"

    monkeypatch.setattr(runner, "_set_progress", stall_at_80)
    monkeypatch.setattr(runner, "RENEW_EVERY_S", 3600.0)
    assert await runner.generate_report(report_id) == "skipped"
    done = await reports.get_report(head, report_id)
    assert (done.status, done.version) == ("done", 2)
    folder = runner.report_folder(report_id)
    # Every file of the revision once, and no temporary file of the run that lost its claim.
    assert sorted(p.name for p in folder.iterdir()) == sorted(runner.FILES.values())


# --------------------------------------------------------------------------- Redis under a worker


async def _health(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.get("/health")
    assert response.status_code == 200
    return dict(response.json())


async def _eventually(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s:.0f} s")
        await asyncio.sleep(0.25)


async def test_the_worker_outlives_a_redis_outage_and_health_says_so(
    db: str, own_redis: ThrowawayRedis, tmp_path: Path
) -> None:
    from inspect_app.asgi import create_app

    app = create_app(get_settings())  # REDIS_URL is own_redis (the fixture set it)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "inspect_app.cli", "worker"],
            cwd=PROJECT_ROOT,
            env=project_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            async with app_client(app) as client:

                async def worker_ok() -> bool:
                    return (await _health(client))["worker"] == "ok"

                await _eventually(worker_ok, 30, "the worker's first heartbeat")

                own_redis.stop()

                async def worker_down() -> bool:
                    return (await _health(client))["worker"].startswith("down")

                await _eventually(worker_down, 5, "/health reporting the worker down")

                async def redis_lost_recorded() -> bool:
                    row = (
                        await JobState.select(JobState.last_status)
                        .where(JobState.name == "worker")
                        .first()
                    )
                    return row is not None and row["last_status"] == "redis_lost"

                await _eventually(redis_lost_recorded, 10, "the worker recording the outage")
                await asyncio.sleep(6)  # several reconnection attempts, all refused
                assert worker.poll() is None, log_path.read_text(errors="replace")
                assert (await _health(client))["worker"].startswith("down")

                own_redis.start()  # empty: the worker must find its way back on its own
                await _eventually(worker_ok, 40, "the worker coming back after Redis")
                assert worker.poll() is None

                # And it processes a job queued after the outage.
                pool = await create_pool(RedisSettings.from_dsn(own_redis.url))
                try:
                    job = await pool.enqueue_job(
                        "watch_deadlines", "2026-03-27", _job_id="after-the-outage"
                    )
                    assert job is not None
                    summary = await job.result(timeout=30)
                finally:
                    await pool.aclose()
                assert summary is not None
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
    assert "Redis unavailable" in log_path.read_text(errors="replace")


async def test_health_says_the_worker_is_down_when_its_heartbeat_is_old(db: str) -> None:
    from inspect_app.services import health

    settings = get_settings()
    await health.beat("test worker")
    assert await health.check_worker(settings, "ok") == "ok"
    await JobState.update(
        {JobState.last_finished_at: datetime.now(UTC) - timedelta(seconds=50)}
    ).where(JobState.name == "worker")
    assert await health.check_worker(settings, "ok") == "down: last heartbeat 50 s ago"
    await health.beat("test worker")
    assert await health.check_worker(settings, "error: ConnectionError") == (
        "down: Redis does not answer"
    )
