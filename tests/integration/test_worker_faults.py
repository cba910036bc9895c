"""Faults: a worker killed with SIGKILL mid-job, and Redis stopped while the app writes.

Both end with the right result and nothing duplicated or lost: the database holds the
truth (unique notices, totals markers) and the jobs are safe to run again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings

from inspect_app.settings import get_settings
from jobs.enqueue import close_pools
from jobs.totals import check_totals, dirty_periods
from models.tables import Inspection, Notification
from tests.integration.jobs_support import (
    build_jobs_world,
    burst_worker,
    close_worker,
    make_agency,
    notice_keys,
    project_env,
    run_jobs,
)
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
            env=project_env() | {"FAULT_SIGNAL_FILE": str(signal_file)},
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

    # A new worker takes the same job again once the dead worker's lock expires.
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
